// Owns the columnar data shapes the evaluation metrics take, and their shape checks.
//
// Ids are dense non-negative integers (indices into an IdMap); every metric sizes per-id tables
// by the largest id it sees, so ids must be dense-ish, not hashes. Row r of each structure is
// (users[r], items[r], ...). Like Recommenders, inputs are assumed to hold no duplicate
// (user, item) pairs; this is documented, not checked.

/** Held-out interactions with their true ratings (a `Dataset` from ts/data fits this shape). */
export interface TruthData {
  readonly users: Uint32Array;
  readonly items: Uint32Array;
  readonly ratings: Float32Array;
}

/** Interactions whose rating is irrelevant (train data, or truth for binary ranking metrics). */
export interface InteractionData {
  readonly users: Uint32Array;
  readonly items: Uint32Array;
  /** Only NDCG with scoreType 'raw' | 'exp' reads it. */
  readonly ratings?: Float32Array;
}

/** Model output: a score for each (user, item) row. Rows need not be grouped or sorted. */
export interface PredictionData {
  readonly users: Uint32Array;
  readonly items: Uint32Array;
  readonly scores: Float32Array;
}

/** Recommendation lists for the beyond-accuracy metrics; relevance defaults to 1 per row. */
export interface RecsData {
  readonly users: Uint32Array;
  readonly items: Uint32Array;
  readonly relevance?: Float32Array | Float64Array;
}

/** Largest dense id the per-id tables will be sized for (4 bytes × 2^27 = 512 MiB per table). */
export const MAX_DENSE_ID = (1 << 27) - 1;

/** Throws unless every column has the same length; returns that length. */
export function checkColumns(what: string, cols: Readonly<Record<string, ArrayLike<number> | undefined>>): number {
  let n = -1;
  for (const [name, col] of Object.entries(cols)) {
    if (col === undefined) continue;
    if (n < 0) n = col.length;
    else if (col.length !== n) {
      throw new Error(`${what}: column '${name}' has ${col.length} rows, expected ${n}`);
    }
  }
  return Math.max(n, 0);
}

/** 1 + the largest value in the given id arrays (0 if all are empty); throws on non-dense ids. */
export function idSpace(...arrays: Uint32Array[]): number {
  let max = -1;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (v > max) max = v;
    }
  }
  if (max > MAX_DENSE_ID) {
    throw new Error(`eval: id ${max} is too large; metrics need dense ids (≤ ${MAX_DENSE_ID}), map them with an IdMap`);
  }
  return max + 1;
}
