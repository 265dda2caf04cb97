// Owns the in-process cache in front of a remote store: an LRU bounded in entries and in
// estimated bytes (evicting least recently used first, by second chance, until under both), an
// optional TTL, and coalescing: concurrent gets of one user share one store read. The order is
// ../util/lru.ts (O(1) eviction at any size; a plain Map walks its evicted entries to find the
// oldest). Counters go to a CacheStats (./cache-stats.ts) shared across versions, exposed in
// /metrics. The cache lives inside one store, which is bound to one model version, and entries
// carry that version, so a version switch (a new store) never serves the lists of another
// version. Misses (null) are cached too; errors are not (the next request asks the store again).

import { CacheStats } from './cache-stats.js';
import { Lru } from '../util/lru.js';
import type { ErasedLists, RecommendationStore, StoreGetOptions, UserList } from './types.js';

/**
 * Estimated heap bytes of one entry besides its typed arrays' contents: the Map slot, the entry
 * and list objects, two typed arrays and their backing stores' headers. The key's characters are
 * added (2 bytes each).
 */
export const ENTRY_OVERHEAD_BYTES = 320;

export interface CacheOptions {
  /** Most entries kept (default 100 000). */
  maxEntries?: number;
  /** Most estimated bytes kept (default 256 MiB): typed arrays' byteLength + ENTRY_OVERHEAD_BYTES + 2 × key length per entry. */
  maxBytes?: number;
  /** Counters to add to (the store factory shares one across versions; default: a new one). */
  stats?: CacheStats;
  /** Entries older than this are read again, ms (default: no expiry). */
  ttlMs?: number;
}

interface Entry {
  value: UserList | null;
  at: number;
  bytes: number;
  /** Read since it last reached the old end (second chance: it is moved to the new end then, not evicted). */
  used: boolean;
}

/** The cache key of a user given by id (the id) or by row (`#row`). */
const keyOf = (user: string | number): string => (typeof user === 'number' ? `#${user}` : user);

/** The estimated bytes an entry holds. */
export function entryBytes(key: string, value: UserList | null): number {
  return ENTRY_OVERHEAD_BYTES + 2 * key.length + (value ? value.items.byteLength + value.scores.byteLength : 0);
}

export class CachedStore implements RecommendationStore {
  readonly kind: string;
  readonly modelVersion: string;
  readonly depth: number;
  private readonly entries = new Lru<string, Entry>(); // oldest first: insertion, or a second chance
  private readonly inFlight = new Map<string, Promise<UserList | null>>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  /** Estimated bytes of this cache's entries. */
  private held = 0;
  private closed = false;
  readonly stats: CacheStats;

  constructor(
    private readonly inner: RecommendationStore,
    private readonly o: CacheOptions = {},
  ) {
    this.kind = inner.kind;
    this.modelVersion = inner.modelVersion;
    this.depth = inner.depth;
    this.maxEntries = Math.max(1, o.maxEntries ?? 100_000);
    this.maxBytes = Math.max(1, o.maxBytes ?? 256 * 2 ** 20);
    this.stats = o.stats ?? new CacheStats(inner.kind, this.maxEntries, this.maxBytes);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.held;
  }

  get hits(): number {
    return this.stats.hits;
  }

  get misses(): number {
    return this.stats.misses;
  }

  /**
   * The cached answer for `user` now (counted as a hit), or undefined when the store must be read
   * (not cached, or expired): lets a caller answer a hit without a promise.
   */
  cachedNow(user: string | number): UserList | null | undefined {
    return this.hit(keyOf(user));
  }

  /** The entry of `key` now (counted as a hit), or undefined when absent or expired. */
  private hit(key: string): UserList | null | undefined {
    const e = this.entries.peek(key);
    if (!e) return undefined;
    if (this.o.ttlMs !== undefined && performance.now() - e.at >= this.o.ttlMs) {
      this.drop(key);
      return undefined;
    }
    // recency is recorded, not applied: moving the entry in the Map on every hit (delete + set)
    // made Map.set the server's top cost, as deleted slots forced the table to be rebuilt
    e.used = true;
    this.stats.hits++;
    return e.value;
  }

  get(user: string | number, options?: StoreGetOptions): Promise<UserList | null> {
    const key = keyOf(user);
    const hit = this.hit(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const pending = this.inFlight.get(key);
    if (pending) {
      this.stats.coalesced++;
      return pending;
    }
    this.stats.misses++;
    // the shared read is not bound to the first caller's abort signal
    const p = this.inner.get(user, options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}).then(
      (value) => {
        this.inFlight.delete(key);
        if (value !== null && value.modelVersion !== this.modelVersion) return null; // never another version's list
        if (!this.closed) this.add(key, value);
        return value;
      },
      (err: unknown) => {
        this.inFlight.delete(key);
        throw err;
      },
    );
    this.inFlight.set(key, p);
    return p;
  }

  private add(key: string, value: UserList | null): void {
    this.drop(key);
    const bytes = entryBytes(key, value);
    this.entries.set(key, { value, at: performance.now(), bytes, used: false });
    this.held += bytes;
    this.stats.entries++;
    this.stats.bytes += bytes;
    // the oldest entry goes first, unless it was read since it got there (second chance, the CLOCK
    // approximation of least recently used): then it moves to the new end, unmarked. Marks only
    // clear here, so this ends within two rounds; an entry larger than maxBytes alone is not kept.
    while (this.entries.size > this.maxEntries || this.held > this.maxBytes) {
      const [oldest, e] = this.entries.oldest()!;
      // the new entry reaches the old end only when all others were read: it is not the one to go
      const spare = oldest === key ? this.entries.size > 1 : e.used;
      if (spare) {
        e.used = false;
        this.entries.touch(oldest);
        continue;
      }
      this.drop(oldest);
      this.stats.evictions++;
    }
  }

  /** Removes an entry, keeping the byte and entry counts; true when there was one. */
  private drop(key: string): boolean {
    const e = this.entries.peek(key);
    if (!e) return false;
    this.entries.delete(key);
    this.held -= e.bytes;
    this.stats.entries--;
    this.stats.bytes -= e.bytes;
    return true;
  }

  /** Erasure passes through (the inner store masks the user first, so a read in flight answers null), dropping the cached entry. */
  async erase(userId: string): Promise<ErasedLists> {
    const pending = this.inner.erase?.(userId);
    const cached = this.drop(userId) ? 1 : 0;
    const r = pending ? await pending : { stored: 0, cached: 0 };
    return { stored: r.stored, cached: r.cached + cached };
  }

  /** Forgets every cached answer (the backend's content changed under the cache, e.g. it lost a version and was loaded again). */
  clearCache(): void {
    for (const [key] of [...this.entries.entries()]) this.drop(key);
  }

  /** Checks the store behind the cache (the cache may still answer for a version the backend lost). */
  verify(sampleUsers: readonly string[]): Promise<string | null> {
    return this.inner.verify ? this.inner.verify(sampleUsers) : Promise.resolve(null);
  }

  mask(userIds: Iterable<string>): void {
    const ids = [...userIds];
    this.inner.mask?.(ids);
    for (const id of ids) this.drop(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [key] of [...this.entries.entries()]) this.drop(key);
    await this.inner.close();
  }
}

/** The cache counters of a store, when it is a cache (for /metrics). */
export function cacheStatsOf(store: RecommendationStore | undefined): CacheStats[] {
  return store instanceof CachedStore ? [store.stats] : [];
}
