// Owns the Cosmos DB store: serves one model version's lists by point reads of
// `${version}:${userId}` documents (./cosmos-docs.ts), item ids mapped back to the model's item
// rows. It answers only once the pointer document lists its version as completely loaded (checked
// again every few seconds until then); errors and timeouts reject with a StoreError. erase()
// deletes the user's documents of every version (found by a query on userId, so versions being
// loaded or no longer listed in the pointer are found too) and masks the user here.

import type { Container, ItemDefinition } from '@azure/cosmos';
import { POINTER_ID, userDocId, type PointerDoc, type UserDoc } from './cosmos-docs.js';
import { withTimeout } from './deadline.js';
import { StoreError, type ErasedLists, type RecommendationStore, type StoreGetOptions, type UserList } from './types.js';

export interface CosmosStoreOptions {
  container: Container;
  modelVersion: string;
  depth: number;
  /** Item id → row in the model's catalog (-1 when unknown). */
  itemRow: (itemId: string) => number;
  userIdAt?: (row: number) => string | undefined;
  partitionKey?: string;
  timeoutMs?: number;
  recheckMs?: number;
  /** Called by close() (e.g. to dispose of the client). */
  onClose?: () => void;
}

/** The partition key value of a document for a single-level path such as '/id'. */
export function pkOf(doc: Record<string, unknown>, path = '/id'): string {
  const v = doc[path.replace(/^\//, '')];
  if (typeof v !== 'string') throw new Error(`cosmos: documents have no string field at partition key path ${path}`);
  return v;
}

export class CosmosStore implements RecommendationStore {
  readonly kind = 'cosmos';
  readonly modelVersion: string;
  readonly depth: number;
  private loaded = false;
  private checkedAt = -Infinity;
  private closed = false;
  /** Erased users: never answered with a list by this store, whatever the container holds. */
  private readonly masked = new Set<string>();

  constructor(private readonly o: CosmosStoreOptions) {
    this.modelVersion = o.modelVersion;
    this.depth = o.depth;
  }

  async get(user: string | number, options: StoreGetOptions = {}): Promise<UserList | null> {
    if (this.closed) throw new StoreError('cosmos store: closed', 'closed');
    const id = typeof user === 'number' ? this.o.userIdAt?.(user) : user;
    if (id === undefined || this.masked.has(id)) return null;
    const ac = new AbortController();
    const timeoutMs = options.timeoutMs ?? this.o.timeoutMs ?? 250;
    try {
      const list = await withTimeout(this.lookup(id, ac.signal), timeoutMs, options.signal);
      return this.masked.has(id) ? null : list; // erased while the read was in flight
    } finally {
      ac.abort(); // cancels the HTTP call when the timeout won
    }
  }

  private async read<T extends ItemDefinition>(docId: string, signal: AbortSignal): Promise<T | undefined> {
    const doc = { id: docId, userId: docId, modelVersion: docId };
    const r = await this.o.container.item(docId, pkOf(doc, this.o.partitionKey)).read<T>({ abortSignal: signal });
    return r.resource;
  }

  private async lookup(userId: string, signal: AbortSignal): Promise<UserList | null> {
    try {
      if (!this.loaded && performance.now() - this.checkedAt >= (this.o.recheckMs ?? 2_000)) {
        this.checkedAt = performance.now();
        const p = await this.read<PointerDoc>(POINTER_ID, signal);
        this.loaded = p?.versions.some((v) => v.version === this.modelVersion) ?? false;
      }
      if (!this.loaded) throw new StoreError(`cosmos store: version ${this.modelVersion} is not loaded`, 'unavailable');
      const docId = userDocId(this.modelVersion, userId);
      const pkDoc = { id: docId, userId, modelVersion: this.modelVersion };
      const r = await this.o.container.item(docId, pkOf(pkDoc, this.o.partitionKey)).read<UserDoc>({ abortSignal: signal });
      return r.resource ? this.toList(r.resource) : null;
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(`cosmos store: ${(e as Error).message}`, 'unavailable', { cause: e });
    }
  }

  async verify(sampleUsers: readonly string[]): Promise<string | null> {
    if (this.closed) throw new StoreError('cosmos store: closed', 'closed');
    const ac = new AbortController();
    try {
      const p = await withTimeout(this.read<PointerDoc>(POINTER_ID, ac.signal), this.o.timeoutMs ?? 2_000);
      if (!(p?.versions.some((v) => v.version === this.modelVersion) ?? false))
        return `version ${this.modelVersion} is not listed in the Cosmos DB pointer document (container emptied, or never loaded)`;
      const users = sampleUsers.filter((u) => !this.masked.has(u));
      for (const u of users) {
        const docId = userDocId(this.modelVersion, u);
        const r = await this.o.container.item(docId, pkOf({ id: docId, userId: u, modelVersion: this.modelVersion }, this.o.partitionKey)).read<UserDoc>({ abortSignal: ac.signal });
        if (r.resource) return null;
      }
      return users.length > 0 ? `the lists of version ${this.modelVersion} are missing from Cosmos DB (none of ${users.length} sampled users has one)` : null;
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(`cosmos store: ${(e as Error).message}`, 'unavailable', { cause: e });
    } finally {
      ac.abort();
    }
  }

  /** Masks the user, then deletes their document of every version in the container. */
  async erase(userId: string): Promise<ErasedLists> {
    if (this.closed) throw new StoreError('cosmos store: closed', 'closed');
    this.masked.add(userId);
    try {
      const query = { query: 'SELECT c.id, c.userId, c.modelVersion FROM c WHERE c.userId = @userId AND IS_DEFINED(c.items)', parameters: [{ name: '@userId', value: userId }] };
      const { resources } = await this.o.container.items.query<Pick<UserDoc, 'id' | 'userId' | 'modelVersion'>>(query).fetchAll();
      let stored = 0;
      for (const doc of resources) {
        try {
          await this.o.container.item(doc.id, pkOf(doc as unknown as Record<string, unknown>, this.o.partitionKey)).delete();
          stored++;
        } catch (e) {
          if ((e as { code?: number }).code !== 404) throw e; // 404: deleted meanwhile (another replica's erasure)
        }
      }
      return { stored, cached: 0 };
    } catch (e) {
      throw new StoreError(`cosmos store: erasing ${userId}: ${(e as Error).message}`, 'unavailable', { cause: e });
    }
  }

  mask(userIds: Iterable<string>): void {
    for (const id of userIds) this.masked.add(id);
  }

  private toList(doc: UserDoc): UserList {
    const n = doc.items.length;
    // one ArrayBuffer for both arrays (a warm cache holds many lists; the GC visits each buffer)
    const ab = new ArrayBuffer(8 * n);
    const items = new Uint32Array(ab, 0, n);
    const scores = new Float32Array(ab, 4 * n, n);
    for (let j = 0; j < n; j++) {
      const it = doc.items[j]!;
      const row = this.o.itemRow(it.itemId);
      if (row < 0) throw new StoreError(`cosmos store: item ${it.itemId} of ${doc.id} is not in model ${this.modelVersion}`, 'corrupt');
      items[j] = row;
      scores[j] = it.score;
    }
    return { modelVersion: this.modelVersion, items, scores };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.o.onClose?.();
  }
}
