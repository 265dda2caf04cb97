// Owns the ranking metrics: precision@k, recall@k, NDCG@k, MAP, MAP@k, R-precision@k.
//
// Defined exactly as Recommenders' python_evaluation (recommenders-team/recommenders @ b02c95e,
// v1.2.1+; file last changed 66ace3e, 2024-06-26) with relevancy_method="top_k":
// - relevance = the (user, item) pair is in the truth set (any rating);
// - each user's predictions are cut to their top k by score (`get_top_k_items`; our tie rule
//   is in topk.ts: lower item index first);
// - precision, recall, MAP, MAP@k and R-precision only see the "common users" (in both truth and
//   predictions, `merge_ranking_true_pred`); precision/recall/MAP/MAP@k divide by their count;
// - NDCG is different: `ndcg_at_k` outer-joins the hits back onto the FULL truth frame, so it
//   averages over every user in the truth set; a truth user without predictions scores 0. Users
//   whose ideal DCG is 0 (raw/exp gains of 0) give 0/0 = NaN and pandas' mean skips them.
// - R-precision: per user with ≥1 hit, (hits ranked ≤ |truth|)/|truth|, averaged over the users
//   where that count is > 0 (the pandas index alignment turns the others into skipped NaNs).
// Every metric returns 0 when there is no hit at all (the source's `df_hit.shape[0] == 0` exit).

import { lowerBoundIn, userItemCsr } from './group.js';
import { topKPerUser } from './topk.js';
import { checkColumns, idSpace, type InteractionData, type PredictionData } from './types.js';

export type NdcgScoreType = 'binary' | 'raw' | 'exp';
export type NdcgDiscount = 'loge' | 'log2';

export interface NdcgOptions {
  /** 'binary' (default): gain 1 per hit; 'raw': the true rating; 'exp': 2^rating - 1. */
  readonly scoreType?: NdcgScoreType;
  /** Discount 1/log(1 + rank), natural log by default (the ratio is the same either way). */
  readonly discount?: NdcgDiscount;
  /** Any log base > 1 for the discount (Recommenders' discfun_base); overrides `discount`. */
  readonly logBase?: number;
}

/** Hits of each common user's top-k list against the truth, computed once for all metrics. */
export interface RankingStats {
  readonly k: number;
  /** Users in both truth and predictions, ascending. */
  readonly commonUsers: Uint32Array;
  /** Truth rows of each common user (Recommenders' "actual"). */
  readonly actual: Uint32Array;
  /** CSR over common users into hitRank / hitTruthPos, hits in rank order. */
  readonly hitOffsets: Uint32Array;
  /** 1-based rank of each hit in its user's top-k list. */
  readonly hitRank: Uint32Array;
  /** Position in `truthByUser` of the truth row each hit matched. */
  readonly hitTruthPos: Uint32Array;
  /** Truth rows grouped by user (whole user id space), items ascending within a user. */
  readonly truthByUser: {
    readonly offsets: Uint32Array;
    readonly items: Uint32Array;
    /** Ratings aligned with items; null when the truth had none. */
    readonly ratings: Float32Array | null;
  };
}

export function rankingStats(truth: InteractionData, preds: PredictionData, k: number): RankingStats {
  checkColumns('truth', { users: truth.users, items: truth.items, ratings: truth.ratings });
  const top = topKPerUser(preds, k);
  const nUsers = Math.max(idSpace(truth.users), idSpace(top.users));
  const csr = userItemCsr(truth.users, truth.items, nUsers, idSpace(truth.items), truth.ratings);
  const tOff = csr.userOffsets;
  const tItems = csr.userItems;
  const common: number[] = [];
  const actual: number[] = [];
  const hitOffsets: number[] = [0];
  const hitRank: number[] = [];
  const hitTruthPos: number[] = [];
  const n = top.users.length;
  for (let s = 0; s < n; ) {
    const u = top.users[s]!;
    let e = s + 1;
    while (e < n && top.users[e] === u) e++;
    const ts = tOff[u]!;
    const te = tOff[u + 1]!;
    if (te > ts) {
      common.push(u);
      actual.push(te - ts);
      for (let p = s; p < e; p++) {
        const item = top.items[p]!;
        for (let q = lowerBoundIn(tItems, ts, te, item); q < te && tItems[q] === item; q++) {
          hitRank.push(p - s + 1);
          hitTruthPos.push(q);
        }
      }
      hitOffsets.push(hitRank.length);
    }
    s = e;
  }
  return {
    k,
    commonUsers: Uint32Array.from(common),
    actual: Uint32Array.from(actual),
    hitOffsets: Uint32Array.from(hitOffsets),
    hitRank: Uint32Array.from(hitRank),
    hitTruthPos: Uint32Array.from(hitTruthPos),
    truthByUser: { offsets: tOff, items: tItems, ratings: csr.userValues },
  };
}

/** Σ over common users of f(user index, hits, actual) / #common users; 0 without any hit. */
function commonMean(st: RankingStats, f: (c: number, hits: number, actual: number) => number): number {
  if (st.hitRank.length === 0) return 0;
  let sum = 0;
  for (let c = 0; c < st.commonUsers.length; c++) {
    const hits = st.hitOffsets[c + 1]! - st.hitOffsets[c]!;
    if (hits > 0) sum += f(c, hits, st.actual[c]!);
  }
  return sum / st.commonUsers.length;
}

/** Σ over a common user's hits of (hit number)/(rank): precision at each hit position. */
function reciprocalRankSum(st: RankingStats, c: number): number {
  const s = st.hitOffsets[c]!;
  let rr = 0;
  for (let h = s; h < st.hitOffsets[c + 1]!; h++) rr += (h - s + 1) / st.hitRank[h]!;
  return rr;
}

export const precisionOf = (st: RankingStats): number => commonMean(st, (_c, hits) => hits / st.k);
export const recallOf = (st: RankingStats): number => commonMean(st, (_c, hits, actual) => hits / actual);
export const mapOf = (st: RankingStats): number => commonMean(st, (c, _h, actual) => reciprocalRankSum(st, c) / actual);
export const mapAtKOf = (st: RankingStats): number => commonMean(st, (c, _h, actual) => reciprocalRankSum(st, c) / Math.min(actual, st.k));

export function rPrecisionOf(st: RankingStats): number {
  if (st.hitRank.length === 0) return 0;
  let sum = 0;
  let users = 0;
  for (let c = 0; c < st.commonUsers.length; c++) {
    const actual = st.actual[c]!;
    let within = 0;
    for (let h = st.hitOffsets[c]!; h < st.hitOffsets[c + 1]!; h++) if (st.hitRank[h]! <= actual) within++;
    if (within > 0) {
      sum += within / actual;
      users++;
    }
  }
  return sum / users;
}

export function ndcgOf(st: RankingStats, opts: NdcgOptions = {}): number {
  if (st.hitRank.length === 0) return 0;
  const scoreType = opts.scoreType ?? 'binary';
  const base = opts.logBase;
  if (base !== undefined && !(base > 1 && Number.isFinite(base))) throw new Error(`ndcg: the log base must be a number > 1, got ${base}`);
  const log =
    base !== undefined ? (x: number): number => Math.log(x) / Math.log(base) : opts.discount === 'log2' ? Math.log2 : opts.discount === undefined || opts.discount === 'loge' ? Math.log : null;
  if (log === null) throw new Error(`ndcg: discount must be 'loge' or 'log2', got ${String(opts.discount)}`);
  const ratings = st.truthByUser.ratings;
  if (scoreType !== 'binary' && ratings === null) throw new Error(`ndcg: scoreType '${scoreType}' needs truth ratings`);
  const gain = scoreType === 'binary' ? (): number => 1 : scoreType === 'raw' ? (pos: number): number => ratings![pos]! : scoreType === 'exp' ? (pos: number): number => 2 ** ratings![pos]! - 1 : null;
  if (gain === null) throw new Error(`ndcg: scoreType must be 'binary', 'raw' or 'exp', got ${String(scoreType)}`);

  const { k } = st;
  const tOff = st.truthByUser.offsets;
  const ideal = new Float64Array(k + 1); // binary: ideal[m] = Σ_{i≤m} 1/log(1+i)
  for (let i = 1; i <= k; i++) ideal[i] = ideal[i - 1]! + 1 / log(1 + i);
  let gains = new Float64Array(64);
  let sum = 0;
  let users = 0;
  let c = 0; // cursor into the common users (both ascending)
  const nUsers = tOff.length - 1;
  for (let u = 0; u < nUsers; u++) {
    const ts = tOff[u]!;
    const te = tOff[u + 1]!;
    if (te === ts) continue;
    let dcg = 0;
    if (c < st.commonUsers.length && st.commonUsers[c] === u) {
      for (let h = st.hitOffsets[c]!; h < st.hitOffsets[c + 1]!; h++) dcg += gain(st.hitTruthPos[h]!) / log(1 + st.hitRank[h]!);
      c++;
    }
    let idcg: number;
    const m = Math.min(te - ts, k);
    if (scoreType === 'binary') idcg = ideal[m]!;
    else {
      if (gains.length < te - ts) gains = new Float64Array(2 * (te - ts));
      const g = gains.subarray(0, te - ts);
      for (let p = ts; p < te; p++) g[p - ts] = gain(p);
      g.sort(); // ascending: the best gains are at the end
      idcg = 0;
      for (let i = 1; i <= m; i++) idcg += g[g.length - i]! / log(1 + i);
    }
    const v = dcg / idcg;
    if (!Number.isNaN(v)) {
      sum += v;
      users++;
    }
  }
  return sum / users;
}

export const precisionAtK = (truth: InteractionData, preds: PredictionData, k: number): number => precisionOf(rankingStats(truth, preds, k));
export const recallAtK = (truth: InteractionData, preds: PredictionData, k: number): number => recallOf(rankingStats(truth, preds, k));
export const ndcgAtK = (truth: InteractionData, preds: PredictionData, k: number, opts?: NdcgOptions): number => ndcgOf(rankingStats(truth, preds, k), opts);
/** Recommenders' `map`: average precision normalised by |truth items of the user|. */
export const map = (truth: InteractionData, preds: PredictionData, k: number): number => mapOf(rankingStats(truth, preds, k));
export const mapAtK = (truth: InteractionData, preds: PredictionData, k: number): number => mapAtKOf(rankingStats(truth, preds, k));
export const rPrecisionAtK = (truth: InteractionData, preds: PredictionData, k: number): number => rPrecisionOf(rankingStats(truth, preds, k));
