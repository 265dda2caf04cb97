// Owns the one-call evaluations (evaluateRanking, evaluateRatings) and their reports as named
// metrics (rankingMetrics, ratingMetrics: the names the CLI, manifests and reports use).

import { cooccurrencePass, type ProgressFn } from './cooccurrence.js';
import { catalogCoverage, distributionalCoverage, novelty } from './coverage.js';
import { meanOf, perUserMean, userDiversityFromPass, userItemSerendipityFromPass } from './diversity.js';
import { mapAtKOf, mapOf, ndcgOf, precisionOf, rankingStats, recallOf, rPrecisionOf, type NdcgOptions } from './ranking.js';
import { expVarOf, joinRatings, maeOf, rmseOf, rsquaredOf } from './rating.js';
import { topKPerUser } from './topk.js';
import { assertNoTrainItems, indexTrain } from './train-index.js';
import type { InteractionData, PredictionData, TruthData } from './types.js';

export interface RankingOptions {
  readonly ndcg?: NdcgOptions;
  /**
   * Beyond-accuracy metrics from train: 'all' (default) = coverage, novelty, diversity and
   * serendipity; 'coverage' = the linear-time ones (coverage, novelty); 'none'. Diversity and
   * serendipity cost cooccurrenceCost(indexTrain(train), recs) units of ~2 ns: seconds for
   * popular-item lists, about a minute for catalogue-wide lists on ML-25M-sized train sets.
   */
  readonly beyondAccuracy?: 'all' | 'coverage' | 'none';
  /** Progress of the co-occurrence pass (work units done, total). */
  readonly onProgress?: ProgressFn;
  /**
   * Relevance of each recommendation row (aligned with `recs`), weighting serendipity as
   * Recommenders' col_relevance does; default 1 per row.
   */
  readonly relevance?: Float32Array;
}

export interface RankingReport {
  readonly k: number;
  /** Users with both test rows and recommendations: precision/recall/MAP average over these. */
  readonly users: number;
  /** Users with test rows: NDCG averages over these (those without recommendations score 0). */
  readonly testUsers: number;
  readonly precisionAtK: number;
  readonly recallAtK: number;
  readonly ndcgAtK: number;
  readonly map: number;
  readonly mapAtK: number;
  readonly rPrecisionAtK: number;
  /** Beyond-accuracy metrics, on each user's top-k recommendations (absent when not asked for). */
  readonly catalogCoverage?: number;
  readonly distributionalCoverage?: number;
  readonly novelty?: number;
  readonly diversity?: number;
  readonly serendipity?: number;
}

/**
 * All ranking metrics of `recs` (scored predictions, cut to top k per user) against `test`;
 * beyond-accuracy metrics use `train` and throw if a recommendation is a train pair of its user.
 */
export function evaluateRanking(train: InteractionData, test: InteractionData, recs: PredictionData, k: number, opts: RankingOptions = {}): RankingReport {
  const top = topKPerUser(recs, k);
  const st = rankingStats(test, top, k);
  let testUsers = 0;
  const o = st.truthByUser.offsets;
  for (let u = 0; u + 1 < o.length; u++) if (o[u + 1]! > o[u]!) testUsers++;
  const accuracy = {
    k,
    users: st.commonUsers.length,
    testUsers,
    precisionAtK: precisionOf(st),
    recallAtK: recallOf(st),
    ndcgAtK: ndcgOf(st, opts.ndcg),
    map: mapOf(st),
    mapAtK: mapAtKOf(st),
    rPrecisionAtK: rPrecisionOf(st),
  };
  const level = opts.beyondAccuracy ?? 'all';
  if (level === 'none') return accuracy;
  if (level !== 'all' && level !== 'coverage') throw new Error(`evaluateRanking: unknown beyondAccuracy '${String(level)}'`);

  const ix = indexTrain(train);
  assertNoTrainItems(ix, top);
  const coverage = {
    ...accuracy,
    catalogCoverage: catalogCoverage(ix, top),
    distributionalCoverage: distributionalCoverage(ix, top),
    novelty: novelty(ix, top),
  };
  if (level === 'coverage') return coverage;
  const pass = cooccurrencePass(ix, top, { pairs: true, history: true }, opts.onProgress);
  const recsForSerendipity = opts.relevance ? { ...top, relevance: alignRelevance(recs, opts.relevance, top) } : top;
  return {
    ...coverage,
    diversity: meanOf(userDiversityFromPass(pass).values),
    serendipity: meanOf(perUserMean(userItemSerendipityFromPass(recsForSerendipity, pass)).values),
  };
}

/** The relevance of each top-k row, looked up by (user, item) in the rows it was given for. */
function alignRelevance(recs: PredictionData, relevance: Float32Array, top: PredictionData): Float32Array {
  if (relevance.length !== recs.users.length) throw new Error(`evaluateRanking: ${relevance.length} relevance values for ${recs.users.length} recommendations`);
  const byPair = new Map<number, number>();
  const stride = 2 ** 26;
  for (let r = 0; r < recs.users.length; r++) byPair.set(recs.users[r]! * stride + recs.items[r]!, relevance[r]!);
  return Float32Array.from(top.users, (u, r) => byPair.get(u * stride + top.items[r]!) ?? 1);
}

export interface RatingReport {
  /** Rows in the (user, item) inner join the metrics are computed on. */
  readonly rows: number;
  readonly rmse: number;
  readonly mae: number;
  readonly rsquared: number;
  readonly expVar: number;
}

export function evaluateRatings(test: TruthData, preds: PredictionData): RatingReport {
  const j = joinRatings(test, preds);
  return { rows: j.yTrue.length, rmse: rmseOf(j), mae: maeOf(j), rsquared: rsquaredOf(j), expVar: expVarOf(j) };
}

/** A ranking report as named metrics (precision@k, recall@k, ndcg@k, map, map@k, then the beyond-accuracy ones present): the names the CLI, manifests and reports use. */
export function rankingMetrics(r: RankingReport): Record<string, number> {
  const k = r.k;
  const out: Record<string, number> = {
    [`precision@${k}`]: r.precisionAtK,
    [`recall@${k}`]: r.recallAtK,
    [`ndcg@${k}`]: r.ndcgAtK,
    map: r.map,
    [`map@${k}`]: r.mapAtK,
  };
  const extra = { catalog_coverage: r.catalogCoverage, distributional_coverage: r.distributionalCoverage, novelty: r.novelty, diversity: r.diversity, serendipity: r.serendipity };
  for (const [name, v] of Object.entries(extra)) if (v !== undefined) out[name] = v;
  return out;
}

/** A rating report as named metrics: rmse, mae, rsquared, exp_var. */
export function ratingMetrics(r: RatingReport): Record<string, number> {
  return { rmse: r.rmse, mae: r.mae, rsquared: r.rsquared, exp_var: r.expVar };
}
