// Owns the in-process cache in front of a remote store: a bounded LRU (entries), an optional TTL,
// and coalescing: concurrent gets of one user share one store read. The cache lives inside one
// store, which is bound to one model version, and entries carry that version, so a version switch
// (a new store) never serves the lists of another version. Misses (null) are cached too; errors
// are not (the next request asks the store again).

import type { RecommendationStore, StoreGetOptions, UserList } from './types.js';

export interface CacheOptions {
  /** Most entries kept (default 100 000). */
  maxEntries?: number;
  /** Entries older than this are read again, ms (default: no expiry). */
  ttlMs?: number;
}

interface Entry {
  value: UserList | null;
  at: number;
}

export class CachedStore implements RecommendationStore {
  readonly kind: string;
  readonly modelVersion: string;
  readonly depth: number;
  private readonly entries = new Map<string, Entry>(); // insertion order = recency
  private readonly inFlight = new Map<string, Promise<UserList | null>>();
  private readonly maxEntries: number;
  hits = 0;
  misses = 0;

  constructor(
    private readonly inner: RecommendationStore,
    private readonly o: CacheOptions = {},
  ) {
    this.kind = inner.kind;
    this.modelVersion = inner.modelVersion;
    this.depth = inner.depth;
    this.maxEntries = Math.max(1, o.maxEntries ?? 100_000);
  }

  get size(): number {
    return this.entries.size;
  }

  get(user: string | number, options?: StoreGetOptions): Promise<UserList | null> {
    const key = typeof user === 'number' ? `#${user}` : user;
    const e = this.entries.get(key);
    if (e && (this.o.ttlMs === undefined || performance.now() - e.at < this.o.ttlMs)) {
      this.entries.delete(key); // refresh recency
      this.entries.set(key, e);
      this.hits++;
      return Promise.resolve(e.value);
    }
    if (e) this.entries.delete(key);
    const pending = this.inFlight.get(key);
    if (pending) {
      this.hits++;
      return pending;
    }
    this.misses++;
    // the shared read is not bound to the first caller's abort signal
    const p = this.inner.get(user, options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}).then(
      (value) => {
        this.inFlight.delete(key);
        if (value !== null && value.modelVersion !== this.modelVersion) return null; // never another version's list
        this.entries.set(key, { value, at: performance.now() });
        if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
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

  async close(): Promise<void> {
    this.entries.clear();
    await this.inner.close();
  }
}
