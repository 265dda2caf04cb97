// Owns the counters of the in-process cache in front of a remote store (./cached.ts): hits,
// misses, coalesced waits, evictions, and the entries and estimated bytes held. One object is
// shared by the caches of every model version a server loads (the store factory makes it), so
// the counters keep counting across hot swaps; /metrics exposes it (ts/serve/metrics.ts).

export class CacheStats {
  /** Gets answered from a cached entry. */
  hits = 0;
  /** Gets that read the store. */
  misses = 0;
  /** Gets that waited for a read of the same user already in flight. */
  coalesced = 0;
  /** Entries dropped to stay within the entry or byte bound. */
  evictions = 0;
  /** Entries held now (every live cache). */
  entries = 0;
  /** Estimated bytes held now (typed arrays + per-entry overhead, see ./cached.ts). */
  bytes = 0;

  constructor(
    /** The store kind behind the cache (a metrics label): 'redis', 'cosmos'. */
    readonly store: string,
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}
}
