// Owns diversity and serendipity (per user-item, per user, overall) on co-occurrence similarity.
//
// As Recommenders' python_evaluation (recommenders-team/recommenders @ b02c95e, v1.2.1+), with
// item_sim_measure="item_cooccurrence_count" (similarities: cooccurrence.ts):
// - user_diversity(u) = 1 - mean sim over pairs of u's recommended items (i1 < i2); users with
//   fewer than 2 distinct items have no pair and no value; diversity = mean over users with one;
// - user_item_serendipity(u, i) = (1 - mean over u's train rows t of sim(i, t)) · relevance(u, i),
//   only for users with train rows (inner merge); relevance defaults to 1 and, like the source's
//   astype(np.float16), is rounded to float16; user_serendipity = mean over the user's rows;
//   serendipity = mean over users.
// All refuse recommendations containing a train pair of that user (train-index.ts).

import { cooccurrencePass, type SimilarityPass } from './cooccurrence.js';
import { groupSorted } from './group.js';
import { assertNoTrainItems, indexTrain, type TrainIndex } from './train-index.js';
import { idSpace, type InteractionData, type RecsData } from './types.js';

export interface PerUser {
  /** Ascending user ids. */
  readonly users: Uint32Array;
  readonly values: Float64Array;
}

export interface PerUserItem {
  /** Rows sorted by (user, item). */
  readonly users: Uint32Array;
  readonly items: Uint32Array;
  readonly values: Float64Array;
}

function checkedPass(train: InteractionData | TrainIndex, recs: RecsData, want: { pairs: boolean; history: boolean }): SimilarityPass {
  const ix = 'byUser' in train ? train : indexTrain(train);
  assertNoTrainItems(ix, recs);
  return cooccurrencePass(ix, recs, want);
}

/** Plain mean; NaN when empty (pandas' mean of nothing). */
export const meanOf = (a: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
};

export function userDiversityFromPass(pass: SimilarityPass): PerUser {
  const { pairSum, pairCount } = pass;
  if (!pairSum || !pairCount) throw new Error('userDiversity: the similarity pass has no pair sums');
  const users: number[] = [];
  const values: number[] = [];
  for (let u = 0; u < pairCount.length; u++) {
    const c = pairCount[u]!;
    if (c === 0) continue;
    users.push(u);
    values.push(1 - pairSum[u]! / c);
  }
  return { users: Uint32Array.from(users), values: Float64Array.from(values) };
}

export function userItemSerendipityFromPass(recs: RecsData, pass: SimilarityPass): PerUserItem {
  const sim = pass.historySim;
  if (!sim) throw new Error('userItemSerendipity: the similarity pass has no history similarities');
  const order = groupSorted(recs.users, idSpace(recs.users), recs.items, idSpace(recs.items)).order;
  const users: number[] = [];
  const items: number[] = [];
  const values: number[] = [];
  for (const row of order) {
    const s = sim[row]!;
    if (Number.isNaN(s)) continue; // user without train rows
    users.push(recs.users[row]!);
    items.push(recs.items[row]!);
    values.push((1 - s) * (recs.relevance ? f16round(recs.relevance[row]!) : 1));
  }
  return { users: Uint32Array.from(users), items: Uint32Array.from(items), values: Float64Array.from(values) };
}

/** Mean of per-(user, item) values per user (rows sorted by user). */
export function perUserMean(rows: PerUserItem): PerUser {
  const users: number[] = [];
  const values: number[] = [];
  const n = rows.users.length;
  for (let s = 0; s < n; ) {
    const u = rows.users[s]!;
    let e = s;
    let sum = 0;
    while (e < n && rows.users[e] === u) sum += rows.values[e++]!;
    users.push(u);
    values.push(sum / (e - s));
    s = e;
  }
  return { users: Uint32Array.from(users), values: Float64Array.from(values) };
}

export const userDiversity = (train: InteractionData | TrainIndex, recs: RecsData): PerUser => userDiversityFromPass(checkedPass(train, recs, { pairs: true, history: false }));
export const diversity = (train: InteractionData | TrainIndex, recs: RecsData): number => meanOf(userDiversity(train, recs).values);
export const userItemSerendipity = (train: InteractionData | TrainIndex, recs: RecsData): PerUserItem => userItemSerendipityFromPass(recs, checkedPass(train, recs, { pairs: false, history: true }));
export const userSerendipity = (train: InteractionData | TrainIndex, recs: RecsData): PerUser => perUserMean(userItemSerendipity(train, recs));
export const serendipity = (train: InteractionData | TrainIndex, recs: RecsData): number => meanOf(userSerendipity(train, recs).values);

/** Nearest IEEE half-precision value (ties to even), as numpy's astype(np.float16). */
export function f16round(x: number): number {
  const a = Math.abs(x);
  if (!Number.isFinite(a) || a === 0) return x;
  if (a >= 65520) return x > 0 ? Infinity : -Infinity; // rounds past the largest half, 65504
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a)
    e--; // guard log2 rounding
  else if (2 ** (e + 1) <= a) e++;
  const quantum = 2 ** (Math.max(e, -14) - 10); // 10 fraction bits; subnormals below 2^-14
  const q = a / quantum; // exact: division by a power of two
  const f = Math.floor(q);
  const d = q - f;
  const m = d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
  return Math.sign(x) * m * quantum;
}
