// Owns the Redis store: serves one model version's lists from Redis (one key per user, value
// encoded by ./redis-keys.ts; the reads of one event-loop turn go as one MGET, ./redis-batch.ts). Before it answers it checks that its version was completely loaded
// (the version's meta key exists, written by the loader after verifying the count); until then,
// and whenever Redis is down or slow, gets reject with a StoreError so the API falls back.
// erase() removes a user's lists of every version (./redis-erase.ts) and masks the user here.

import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { createRedisClient, type RedisConnection } from './redis-client.js';
import { eraseUserLists } from './redis-erase.js';
import { decodeList, DEFAULT_PREFIX, redisKeys, type RedisKeys } from './redis-keys.js';
import { within } from './deadline.js';
import { RedisGetBatcher } from './redis-batch.js';
import { StoreError, type ErasedLists, type RecommendationStore, type StoreGetOptions, type UserList } from './types.js';

export interface RedisStoreOptions extends RedisConnection {
  modelVersion: string;
  depth: number;
  prefix?: string;
  /** Maps a user row (numeric `get`) to its id; without it numeric users are unknown. */
  userIdAt?: (row: number) => string | undefined;
  /** Default per-call timeout when the caller gives none, ms (default 250). */
  timeoutMs?: number;
  /** How often a version not (yet) loaded is looked up again, ms (default 2 000). */
  recheckMs?: number;
  /** Use this client instead of connecting (it is not closed by close()). */
  client?: Redis;
}

export class RedisStore implements RecommendationStore {
  readonly kind = 'redis';
  readonly modelVersion: string;
  readonly depth: number;
  private readonly client: Redis;
  /** Reads of one event-loop turn, sent as one MGET. */
  readonly reads: RedisGetBatcher;
  private readonly ownsClient: boolean;
  private readonly keys: RedisKeys;
  private loadedCheckedAt = -Infinity;
  private loaded = false;
  private closed = false;
  /** Erased users: never answered with a list by this store, whatever Redis holds. */
  private readonly masked = new Set<string>();

  constructor(private readonly o: RedisStoreOptions) {
    this.modelVersion = o.modelVersion;
    this.depth = o.depth;
    this.keys = redisKeys(o.prefix ?? DEFAULT_PREFIX);
    this.ownsClient = !o.client;
    this.client = o.client ?? createRedisClient(o, 'serve');
    this.client.on('error', () => {}); // reported per request as StoreErrors
    this.reads = new RedisGetBatcher(this.client);
  }

  get(user: string | number, options: StoreGetOptions = {}): Promise<UserList | null> {
    if (this.closed) return Promise.reject(new StoreError('redis store: closed', 'closed'));
    const id = typeof user === 'number' ? this.o.userIdAt?.(user) : user;
    if (id === undefined || this.masked.has(id)) return Promise.resolve(null);
    if (this.client.status !== 'ready') return Promise.reject(new StoreError(`redis store: not connected (${this.client.status})`, 'unavailable'));
    // the common path: one key read in this turn's MGET (./redis-batch.ts), no async function, no
    // timer of its own (./deadline.ts)
    const read = this.loaded ? this.reads.get(this.keys.user(this.modelVersion, id)) : this.readOnceLoaded(id);
    return within(read, options.timeoutMs ?? this.o.timeoutMs ?? 250, { signal: options.signal, map: (buf) => this.listOf(id, buf), mapError: storeError });
  }

  /** The read while this version is not known to be loaded: checks (at most every recheckMs), then reads. */
  private async readOnceLoaded(id: string): Promise<Buffer | null> {
    if (!this.loaded && performance.now() - this.loadedCheckedAt >= (this.o.recheckMs ?? 2_000)) {
      this.loadedCheckedAt = performance.now();
      this.loaded = (await this.client.exists(this.keys.meta(this.modelVersion))) === 1;
    }
    if (!this.loaded) throw new StoreError(`redis store: version ${this.modelVersion} is not loaded`, 'unavailable');
    return this.reads.get(this.keys.user(this.modelVersion, id));
  }

  /** The decoded list, or null for none or an erased user (erased while the read was in flight). */
  private listOf(id: string, buf: Buffer | null): UserList | null {
    return buf === null || this.masked.has(id) ? null : decodeList(this.modelVersion, buf);
  }

  /** Masks the user, then removes their list in every version under the prefix. */
  async erase(userId: string): Promise<ErasedLists> {
    if (this.closed) throw new StoreError('redis store: closed', 'closed');
    this.masked.add(userId);
    if (this.client.status !== 'ready') throw new StoreError(`redis store: not connected (${this.client.status}); the user's stored lists were not erased`, 'unavailable');
    try {
      return { stored: await eraseUserLists(this.client, this.o.prefix ?? DEFAULT_PREFIX, userId), cached: 0 };
    } catch (e) {
      throw new StoreError(`redis store: erasing ${userId}: ${(e as Error).message}`, 'unavailable', { cause: e });
    }
  }

  async verify(sampleUsers: readonly string[]): Promise<string | null> {
    if (this.closed || this.client.status !== 'ready') throw new StoreError(`redis store: not connected (${this.client.status})`, 'unavailable');
    try {
      const meta = this.keys.meta(this.modelVersion);
      if ((await this.client.exists(meta)) === 0) return `version ${this.modelVersion} is not in Redis (no ${meta}: flushed, restarted empty, or never loaded)`;
      const users = sampleUsers.filter((u) => !this.masked.has(u));
      if (users.length > 0 && (await this.client.exists(...users.map((u) => this.keys.user(this.modelVersion, u)))) === 0) {
        return `the lists of version ${this.modelVersion} are missing from Redis (none of ${users.length} sampled users has one)`;
      }
      return null;
    } catch (e) {
      throw storeError(e);
    }
  }

  mask(userIds: Iterable<string>): void {
    for (const id of userIds) this.masked.add(id);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) this.client.disconnect();
  }
}

/** A failed Redis call as the StoreError the API falls back on. */
function storeError(e: unknown): StoreError {
  return e instanceof StoreError ? e : new StoreError(`redis store: ${(e as Error).message}`, 'unavailable', { cause: e });
}
