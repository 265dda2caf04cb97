// Owns the Cosmos DB event store: one container partitioned by /userId (./cosmos-docs.ts), the
// same EventStore contract as the SQLite store.
//
// - Idempotency: an event is created with id = its eventId (encoded); 201 counts as accepted, 409
//   as a duplicate, so a retried event is acknowledged again and stored once. Ids are unique per
//   partition: the same eventId sent for two different users is stored for both (SQLite, with one
//   global key, would count the second as a duplicate).
// - Durability: a create is acknowledged by Cosmos DB once committed (its consistency level
//   decides where), before append() resolves.
// - All or nothing: Cosmos DB transactions are per partition key, and a batch may span users, so
//   there is no transaction over a batch here. What holds instead: the API validates the whole
//   batch before anything is written (a bad batch writes nothing), and every write is a create
//   keyed by eventId. If a write fails (throttling beyond the retries, an outage), append()
//   rejects after every write of the batch settled, the client is answered 5xx and retries the
//   same batch: the events already stored come back as duplicates and the rest are created, so
//   the retried batch converges to exactly the batch, each event once. Until that retry, the
//   events already created are readable (fold-in, training) — a half-applied state this store
//   cannot exclude, and says so.
// - Conflicts: before writing, each user's erased marker is read (one point read per user of the
//   batch) and events dated before the erasure are refused; an eventId already stored (409) is read
//   back and compared, and different content is a conflict. Events of the batch without a conflict
//   are stored (no transaction across users); the conflicts are returned.
// - Erasure: the user's erased marker is upserted first (so a crash halfway still excludes the
//   user from training, and the retried DELETE removes the rest), then every event and impression
//   in the user's partition is deleted.
// - Item records (./catalogue.ts): one document per item in a partition of its own
//   (./cosmos-docs.ts); a change reads the stored record and upserts when it is as new or newer
//   (two replicas changing one item in the same instant: one of them wins, each record whole).
//   Changes since a time are a cross-partition query on updatedAt, as erasures are, and so are
//   events received since a time (replicas learning new items from each other's events).
// - Impressions: one document per (recommendationId, position) in the user's partition, created
//   (409: a duplicate); read back by a cross-partition query on shownAt.
// - Reads: a user's events are one single-partition query; `all()` (training) is a cross-partition
//   query, grouped and ordered in memory (training holds the data in memory anyway).

import type { Container, SqlQuerySpec } from '@azure/cosmos';
import { byTime, ERASED_ID, eventDocId, fromDoc, ITEM_ID, itemPartition, toDoc, toImpressionDoc, toItemDoc, type ErasedDoc, type EventDoc, type ImpressionDoc, type ItemDoc } from './cosmos-docs.js';
import type { Impression, ImpressionResult } from './impressions.js';
import { newerItem, newestPerItem, type ItemRecord } from './catalogue.js';
import { erasedConflict, reusedIdConflict, sameEvent, type AppendConflict, type AppendResult, type EventStore, type TrackedEvent } from './types.js';
import { forEachLimit } from '../util/pool.js';

export interface CosmosEventStoreOptions {
  /** The events container, partitioned by /userId (see openEventStore in ./open.ts). */
  container: Container;
  /** Writes in flight per append (default 32). */
  concurrency?: number;
  /** Called by close() (e.g. to dispose of the client). */
  onClose?: () => void;
}

/** The user's events (the filter on userId repeats the partition key: also right where the option is ignored). */
const inPartition = (select: string, userId: string): SqlQuerySpec => ({ query: `${select} WHERE c.userId = @userId AND c.kind = 'event'`, parameters: [{ name: '@userId', value: userId }] });

const code = (e: unknown): number | undefined => (e as { code?: number }).code;

export class CosmosEventStore implements EventStore {
  readonly kind = 'cosmos';
  private readonly container: Container;

  constructor(private readonly o: CosmosEventStoreOptions) {
    this.container = o.container;
  }

  async append(events: readonly TrackedEvent[]): Promise<AppendResult> {
    let accepted = 0;
    let duplicates = 0;
    const failures: unknown[] = [];
    const conflicts: AppendConflict[] = [];
    const erasedAt = new Map<string, number | undefined>();
    await this.each([...new Set(events.map((e) => e.userId))], async (userId) => {
      erasedAt.set(userId, (await this.readDoc<ErasedDoc>(ERASED_ID, userId))?.erasedAt);
    });
    const todo: [number, TrackedEvent][] = [];
    events.forEach((e, index) => {
      const at = erasedAt.get(e.userId);
      if (at !== undefined && e.timestamp < at) conflicts.push(erasedConflict(index, e, at));
      else todo.push([index, e]);
    });
    await this.each(todo, async ([index, e]) => {
      try {
        await this.container.items.create(toDoc(e));
        accepted++;
      } catch (err) {
        if (code(err) !== 409) return void failures.push(err);
        const stored = await this.readDoc<EventDoc>(eventDocId(e.eventId), e.userId).catch(() => undefined);
        if (stored && !sameEvent(fromDoc(stored), e)) conflicts.push(reusedIdConflict(index, e, fromDoc(stored)));
        else duplicates++;
      }
    });
    if (failures.length > 0) {
      const first = failures[0] as Error;
      throw new Error(`cosmos event store: ${failures.length} of ${events.length} events not stored (${first.message}); retrying the same batch stores the rest once`, { cause: first });
    }
    return conflicts.length > 0 ? { accepted, duplicates, conflicts: conflicts.sort((a, b) => a.index - b.index) } : { accepted, duplicates };
  }

  async forUser(userId: string): Promise<TrackedEvent[]> {
    const docs = await this.query<EventDoc>(inPartition('SELECT * FROM c', userId), userId);
    return docs.map(fromDoc).sort(byTime);
  }

  async deleteUser(userId: string, opts: { remember?: boolean } = {}): Promise<number> {
    const marker: ErasedDoc = { id: ERASED_ID, kind: 'erased', userId, erasedAt: Date.now() };
    const ids = await this.query<{ id: string }>(inPartition('SELECT c.id FROM c', userId), userId);
    const shown = await this.query<{ id: string }>({ query: "SELECT c.id FROM c WHERE c.userId = @userId AND c.kind = 'impression'", parameters: [{ name: '@userId', value: userId }] }, userId);
    if (ids.length > 0 || opts.remember) await this.container.items.upsert(marker); // before deleting: a crash halfway still leaves the user out of training
    let removed = 0;
    await this.each(ids, async ({ id }) => {
      try {
        await this.container.item(id, userId).delete();
        removed++;
      } catch (err) {
        if (code(err) !== 404) throw err; // 404: removed meanwhile by another erasure
      }
    });
    await this.each(shown, async ({ id }) => {
      await this.container
        .item(id, userId)
        .delete()
        .catch((err: unknown) => {
          if (code(err) !== 404) throw err;
        });
    });
    return removed;
  }

  async erased(since?: number): Promise<Map<string, number>> {
    const spec: SqlQuerySpec =
      since === undefined
        ? { query: "SELECT c.userId, c.erasedAt FROM c WHERE c.kind = 'erased'" }
        : { query: "SELECT c.userId, c.erasedAt FROM c WHERE c.kind = 'erased' AND c.erasedAt >= @since", parameters: [{ name: '@since', value: since }] };
    const docs = await this.query<Pick<ErasedDoc, 'userId' | 'erasedAt'>>(spec);
    return new Map(docs.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)).map((d) => [d.userId, d.erasedAt]));
  }

  async putItems(items: readonly ItemRecord[]): Promise<number> {
    let stored = 0;
    await this.each(newestPerItem(items), async (r) => {
      if (!newerItem(r, await this.item(r.itemId))) return;
      await this.container.items.upsert(toItemDoc(r));
      stored++;
    });
    return stored;
  }

  async item(itemId: string): Promise<ItemRecord | undefined> {
    return (await this.readDoc<ItemDoc>(ITEM_ID, itemPartition(itemId)))?.item;
  }

  async items(since?: number): Promise<ItemRecord[]> {
    const spec: SqlQuerySpec =
      since === undefined
        ? { query: "SELECT c.item FROM c WHERE c.kind = 'item'" }
        : { query: "SELECT c.item FROM c WHERE c.kind = 'item' AND c.updatedAt >= @since", parameters: [{ name: '@since', value: since }] };
    const docs = await this.query<Pick<ItemDoc, 'item'>>(spec);
    return docs.map((d) => d.item).sort((a, b) => a.updatedAt - b.updatedAt || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
  }

  async received(since: number): Promise<TrackedEvent[]> {
    const docs = await this.query<EventDoc>({ query: "SELECT * FROM c WHERE c.kind = 'event' AND c.receivedAt >= @since", parameters: [{ name: '@since', value: since }] });
    return docs.map(fromDoc).sort((a, b) => a.receivedAt - b.receivedAt || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  }

  async appendImpressions(impressions: readonly Impression[]): Promise<ImpressionResult> {
    let accepted = 0;
    let duplicates = 0;
    const failures: unknown[] = [];
    await this.each(impressions, async (i) => {
      try {
        await this.container.items.create(toImpressionDoc(i));
        accepted++;
      } catch (err) {
        if (code(err) === 409) duplicates++;
        else failures.push(err);
      }
    });
    if (failures.length > 0)
      throw new Error(`cosmos event store: ${failures.length} of ${impressions.length} impressions not stored (${(failures[0] as Error).message}); resending stores the rest once`, {
        cause: failures[0],
      });
    return { accepted, duplicates };
  }

  async impressions(since?: number): Promise<Impression[]> {
    const docs = await this.query<ImpressionDoc>({ query: "SELECT * FROM c WHERE c.kind = 'impression' AND c.shownAt >= @since", parameters: [{ name: '@since', value: since ?? 0 }] });
    return docs
      .map(({ recommendationId, position, userId, itemId, shownAt, receivedAt }) => ({ recommendationId, position, userId, itemId, shownAt, receivedAt }))
      .sort((a, b) => a.shownAt - b.shownAt || (a.recommendationId < b.recommendationId ? -1 : a.recommendationId > b.recommendationId ? 1 : a.position - b.position));
  }

  async *all(): AsyncIterable<TrackedEvent> {
    const byUser = new Map<string, TrackedEvent[]>();
    const it = this.container.items.query<EventDoc>({ query: "SELECT * FROM c WHERE c.kind = 'event'" }, { maxItemCount: 1000 });
    while (it.hasMoreResults()) {
      const { resources } = await it.fetchNext();
      for (const d of resources ?? []) {
        const list = byUser.get(d.userId);
        if (list) list.push(fromDoc(d));
        else byUser.set(d.userId, [fromDoc(d)]);
      }
    }
    for (const userId of [...byUser.keys()].sort()) yield* byUser.get(userId)!.sort(byTime);
  }

  async close(): Promise<void> {
    this.o.onClose?.();
  }

  /** Runs `f` over `list`, `concurrency` at a time. */
  private async each<T>(list: readonly T[], f: (x: T) => Promise<void>): Promise<void> {
    await forEachLimit(list, this.o.concurrency ?? 32, f);
  }

  /** A document by id in the user's partition, or undefined (404). */
  private async readDoc<T>(id: string, userId: string): Promise<T | undefined> {
    try {
      const { resource } = await this.container.item(id, userId).read();
      return (resource as T | undefined) ?? undefined;
    } catch (e) {
      if (code(e) === 404) return undefined;
      throw e;
    }
  }

  private async query<T>(spec: SqlQuerySpec, partitionKey?: string): Promise<T[]> {
    const { resources } = await this.container.items.query<T>(spec, partitionKey === undefined ? {} : { partitionKey }).fetchAll();
    return resources;
  }
}
