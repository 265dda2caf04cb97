// Owns ranking with an item-item weight matrix (EASE's B): a user's scores are the sum of the
// weight rows of the items they interacted with (x_u·B with binary x_u); top-k for many users with
// their training items left out, top-k for one new user from their events (fold-in, the engine's
// FoldIn shape), and "similar items" from B's columns. Plain TypeScript over Float32Array rows.

import { EMPTY_ITEM, type FoldIn, type Recommendation, type TopK, type TopKOptions } from '../../engine/index.js';
import type { ItemWeights } from './types.js';

/** Users' item rows in CSR form (each user's items ascending, no duplicates). */
export interface UserRows {
  offsets: Uint32Array;
  items: Uint32Array;
}

/** The CSR rows of COO pairs (pairs where `keep` is false left out; duplicates kept once). */
export function userRows(nUsers: number, users: Uint32Array, items: Uint32Array, keep?: (row: number) => boolean): UserRows {
  const counts = new Uint32Array(nUsers + 1);
  for (let r = 0; r < users.length; r++) if (!keep || keep(r)) counts[users[r]! + 1]!++;
  for (let u = 0; u < nUsers; u++) counts[u + 1]! += counts[u]!;
  const fill = counts.slice(0, nUsers);
  const raw = new Uint32Array(counts[nUsers]!);
  for (let r = 0; r < users.length; r++) if (!keep || keep(r)) raw[fill[users[r]!]!++] = items[r]!;
  const offsets = new Uint32Array(nUsers + 1);
  const out = new Uint32Array(raw.length);
  let n = 0;
  for (let u = 0; u < nUsers; u++) {
    const row = raw.subarray(counts[u]!, counts[u + 1]!).sort();
    for (let i = 0; i < row.length; i++) if (i === 0 || row[i] !== row[i - 1]) out[n++] = row[i]!;
    offsets[u + 1] = n;
  }
  return { offsets, items: out.slice(0, n) };
}

/** scores += Σ over `items` of their weight rows. */
function accumulate(w: ItemWeights, items: ArrayLike<number>, scores: Float64Array): void {
  const n = w.n;
  scores.fill(0);
  for (let t = 0; t < items.length; t++) {
    const row = items[t]! * n;
    for (let j = 0; j < n; j++) scores[j]! += w.weights[row + j]!;
  }
}

/**
 * The k best of `scores` into `items`/`out` at `at` (best first, ties: lower item first), skipping
 * items where `skip` is 1; unfilled slots are EMPTY_ITEM / -Infinity.
 */
export function selectTopK(scores: ArrayLike<number>, k: number, skip: Uint8Array | null, items: Uint32Array, out: Float32Array, at = 0): number {
  let count = 0;
  for (let i = 0; i < k; i++) {
    items[at + i] = EMPTY_ITEM;
    out[at + i] = -Infinity;
  }
  for (let j = 0; j < scores.length; j++) {
    if (skip && skip[j] === 1) continue;
    const s = scores[j]!;
    if (count === k && !(s > out[at + k - 1]!)) continue;
    let p = count < k ? count++ : k - 1;
    while (p > 0 && out[at + p - 1]! < s) {
      out[at + p] = out[at + p - 1]!;
      items[at + p] = items[at + p - 1]!;
      p--;
    }
    out[at + p] = s;
    items[at + p] = j;
  }
  return count;
}

/** Top-k of many users: x_u from `input` (their training items), `options.exclude`'s pairs left out. */
export async function weightsTopK(w: ItemWeights, input: UserRows, options: TopKOptions): Promise<TopK> {
  const nUsers = input.offsets.length - 1;
  const users = options.users ?? Uint32Array.from({ length: nUsers }, (_, u) => u);
  const k = options.k;
  const exclude = options.exclude ? userRows(nUsers, options.exclude.users, options.exclude.items) : null;
  const items = new Uint32Array(users.length * k);
  const scores = new Float32Array(users.length * k);
  const sums = new Float64Array(w.n);
  const skip = new Uint8Array(w.n);
  let last = performance.now();
  for (let r = 0; r < users.length; r++) {
    const u = users[r]!;
    accumulate(w, input.items.subarray(input.offsets[u]!, input.offsets[u + 1]!), sums);
    const seen = exclude ? exclude.items.subarray(exclude.offsets[u]!, exclude.offsets[u + 1]!) : null;
    if (seen) for (const i of seen) skip[i] = 1;
    selectTopK(sums, k, skip, items, scores, r * k);
    if (seen) for (const i of seen) skip[i] = 0;
    if (options.onProgress && performance.now() - last > 100) {
      last = performance.now();
      options.onProgress(r + 1, users.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  options.onProgress?.(users.length, users.length);
  return { k, rows: users.length, items, scores };
}

/** Fold-in against item-item weights: a new user's scores are exactly x_u·B (x_u: 1 for each item with a positive value). */
export class WeightsFoldIn implements FoldIn {
  readonly rank = 0;
  readonly nItems: number;
  private readonly sums: Float64Array;

  constructor(private readonly w: ItemWeights) {
    this.nItems = w.n;
    this.sums = new Float64Array(w.n);
  }

  /** The user's score for every item (x_u·B). */
  userVector(items: Uint32Array, values: Float32Array): Float32Array {
    const positive = items.filter((_, t) => values[t]! > 0);
    accumulate(this.w, positive, this.sums);
    return Float32Array.from(this.sums);
  }

  recommend(items: Uint32Array, values: Float32Array, k: number): Recommendation {
    const vector = this.userVector(items, values);
    const skip = new Uint8Array(this.nItems);
    for (const i of items) skip[i] = 1;
    const out = { items: new Uint32Array(k), scores: new Float32Array(k) };
    selectTopK(vector, k, skip, out.items, out.scores);
    return { k, rows: 1, items: out.items, scores: out.scores, vector };
  }
}

/** The `depth` items with the largest positive weight in `item`'s column (those whose presence predicts it most), best first. */
export function similarByWeights(w: ItemWeights, item: number, depth: number): { items: Uint32Array; scores: Float32Array } {
  const n = w.n;
  const column = new Float32Array(n);
  const skip = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    column[i] = w.weights[i * n + item]!;
    if (i === item || !(column[i]! > 0)) skip[i] = 1;
  }
  const items = new Uint32Array(depth);
  const scores = new Float32Array(depth);
  const count = selectTopK(column, depth, skip, items, scores);
  return { items: items.subarray(0, count), scores: scores.subarray(0, count) };
}
