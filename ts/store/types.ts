// Owns the contract between the API and wherever the precomputed recommendation lists live: the
// embedded store (the artifact's top-k table held in process, ./embedded.ts), Redis (./redis.ts)
// and Azure Cosmos DB (./cosmos.ts). A store instance is bound to one model version, so the item rows it returns
// index that version's catalog (the server creates one store per loaded model and swaps both
// together). Every call is async and may fail or time out: the API answers with the popularity
// fallback then, counts the error, and never fails the request because of the store.

/** A user's precomputed list, best first, with no empty slots. */
export interface UserList {
  /** The model version the list was computed by (equals the store's `modelVersion`). */
  readonly modelVersion: string;
  /** Item rows in that model's catalog. */
  readonly items: Uint32Array;
  /** Scores of `items`, same length, non-increasing. */
  readonly scores: Float32Array;
}

export interface StoreGetOptions {
  /** A remote store must give up (reject with a StoreError of reason 'timeout') after this long. */
  timeoutMs?: number;
  /** Aborted when the client went away; a remote store may cancel its call. */
  signal?: AbortSignal;
}

export interface RecommendationStore {
  /** 'embedded', 'redis', 'cosmos', … (a metrics label). */
  readonly kind: string;
  /** The model version whose lists this store serves. */
  readonly modelVersion: string;
  /** Entries stored per user (lists may be shorter). */
  readonly depth: number;
  /**
   * The list of a user given by id (string) or by row in the model (number), or null when the
   * store holds none for that user. Rejects with a StoreError when the store cannot answer.
   */
  get(user: string | number, options?: StoreGetOptions): Promise<UserList | null>;
  /**
   * Optional, for stores that hold the lists in process: the same answer as `get`, synchronously,
   * so the API skips a promise and a deferred write per request. Remote stores leave it out.
   */
  peek?(user: string | number): UserList | null;
  /**
   * Optional, with `peek`: the row of the user's list, or -1 when `peek` would answer null — the
   * same lookup without making the list's views, for callers that only need to know the list
   * is there and which it is (the API's answer cache). A row's list never changes in a store.
   */
  rowNow?(user: string): number;
  /**
   * Optional, for remote stores with an in-process cache: the cached answer now (a list, or null
   * for a cached "no list"), or undefined when only `get` can answer. Lets the API answer a cache
   * hit inside the request's callback, as it does for an in-process store.
   */
  cachedNow?(user: string | number): UserList | null | undefined;
  /**
   * Optional: erases the user's lists — for every model version the backend holds (Redis, Cosmos
   * DB), or in this store's in-process table (embedded) — and serves no list for them from this
   * store afterwards. Resolves with what was removed; rejects with a StoreError when the backend
   * cannot be reached (the erasure is then incomplete; retrying it is safe).
   */
  erase?(userId: string): Promise<ErasedLists>;
  /**
   * Optional: serve no list for these users from this store (users erased before its model was
   * made; their lists may still be in the backend, e.g. a version loaded again after the erasure).
   */
  mask?(userIds: Iterable<string>): void;
  /**
   * Optional, for remote stores: checks that the backend still holds this store's version (its
   * marker of a complete load) and lists for `sampleUsers` (ids of the model's users; at least one
   * must have a list). Resolves with what is missing, or null when all is there; rejects with a
   * StoreError when the backend cannot be reached (that is an outage, not a lost version).
   */
  verify?(sampleUsers: readonly string[]): Promise<string | null>;
  /** Optional, for stores with an in-process cache: forget every cached answer. */
  clearCache?(): void;
  /** Releases connections or memory; called once no request uses the store any more. */
  close(): Promise<void>;
}

/** What a store's erase removed. */
export interface ErasedLists {
  /** Lists removed from the backend (all versions), or masked in an in-process table. */
  stored: number;
  /** Entries dropped from an in-process cache in front of the backend. */
  cached: number;
}

export type StoreErrorReason = 'timeout' | 'unavailable' | 'corrupt' | 'closed';

/** A store that could not answer; `reason` is a metrics label. */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    message: string,
    readonly reason: StoreErrorReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
