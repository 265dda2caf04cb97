// Owns grouping rows by dense keys with counting sorts (no per-row objects): `groupBy` /
// `groupSorted` give row permutations (CSR over the whole key space: the rows with key g are
// order[offsets[g] .. offsets[g+1]), stable), `userItemCsr` builds user→items and item→users CSR
// directly, and `lowerBoundIn` searches a sorted run.

export interface Groups {
  /** Length nKeys + 1. */
  readonly offsets: Uint32Array;
  /** Row indices, grouped by key. */
  readonly order: Uint32Array;
}

/**
 * Stable counting sort of row indices by `keys[row]` (all keys < nKeys).
 * `within` is an existing row order to keep inside each group (default 0..n-1).
 */
export function groupBy(keys: Uint32Array, nKeys: number, within?: Uint32Array): Groups {
  const n = within ? within.length : keys.length;
  const offsets = new Uint32Array(nKeys + 1);
  for (let i = 0; i < n; i++) {
    const row = within ? within[i]! : i;
    offsets[keys[row]! + 1]!++;
  }
  for (let g = 0; g < nKeys; g++) offsets[g + 1]! += offsets[g]!;
  const cursor = offsets.slice(0, nKeys);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const row = within ? within[i]! : i;
    order[cursor[keys[row]!]!++] = row;
  }
  return { offsets, order };
}

/** Rows grouped by `outer`, ordered by `inner` (then input order) inside each group: a two-pass radix sort. */
export function groupSorted(outer: Uint32Array, nOuter: number, inner: Uint32Array, nInner: number): Groups {
  return groupBy(outer, nOuter, groupBy(inner, nInner).order);
}

/** First index in [lo, hi) of the ascending run vals[lo..hi) with vals[i] ≥ x. */
export function lowerBoundIn(vals: Uint32Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (vals[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows as CSR by user (items ascending within a user, `values` carried along) and by item. */
export interface UserItemCsr {
  /** Length nUsers + 1. */
  readonly userOffsets: Uint32Array;
  /** Items of each user, ascending (then input order). */
  readonly userItems: Uint32Array;
  /** values[row] aligned with userItems; null when no values were given. */
  readonly userValues: Float32Array | null;
  /** Length nItems + 1. */
  readonly itemOffsets: Uint32Array;
  /** Users of each item, in input order. */
  readonly itemUsers: Uint32Array;
}

/**
 * Two counting-sort passes that read sequentially and only scatter writes (no permutation
 * indirection, which costs a cache miss per row on tens of millions of rows).
 */
export function userItemCsr(users: Uint32Array, items: Uint32Array, nUsers: number, nItems: number, values?: Float32Array): UserItemCsr {
  const n = users.length;
  const itemOffsets = countOffsets(items, nItems);
  const itemUsers = new Uint32Array(n);
  const itemValues = values ? new Float32Array(n) : null;
  const cursor = itemOffsets.slice(0, nItems);
  for (let r = 0; r < n; r++) {
    const p = cursor[items[r]!]!++;
    itemUsers[p] = users[r]!;
    if (itemValues) itemValues[p] = values![r]!;
  }
  const userOffsets = countOffsets(users, nUsers);
  const userItems = new Uint32Array(n);
  const userValues = values ? new Float32Array(n) : null;
  const ucursor = userOffsets.slice(0, nUsers);
  for (let t = 0; t < nItems; t++) {
    for (let p = itemOffsets[t]!; p < itemOffsets[t + 1]!; p++) {
      const q = ucursor[itemUsers[p]!]!++;
      userItems[q] = t;
      if (userValues) userValues[q] = itemValues![p]!;
    }
  }
  return { userOffsets, userItems, userValues, itemOffsets, itemUsers };
}

/** offsets[g] = number of keys < g (length nKeys + 1). */
function countOffsets(keys: Uint32Array, nKeys: number): Uint32Array {
  const offsets = new Uint32Array(nKeys + 1);
  for (let i = 0; i < keys.length; i++) offsets[keys[i]! + 1]!++;
  for (let g = 0; g < nKeys; g++) offsets[g + 1]! += offsets[g]!;
  return offsets;
}
