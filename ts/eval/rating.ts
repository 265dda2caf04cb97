// Owns the rating (regression) metrics: rmse, mae, rsquared, expVar.
//
// Defined as Recommenders' python_evaluation (recommenders-team/recommenders @ b02c95e, v1.2.1+;
// file last changed 66ace3e, 2024-06-26): an inner join of truth and predictions on (user, item)
// (`merge_rating_true_pred`), then scikit-learn's mean_squared_error / mean_absolute_error /
// r2_score / explained_variance_score with their defaults (force_finite=True: a constant truth
// gives 1.0 for perfect predictions, else 0.0; r2 of fewer than 2 rows is NaN).
// Sums run in float64. An empty join throws (sklearn raises on 0 samples).

import { lowerBoundIn, userItemCsr } from './group.js';
import { checkColumns, idSpace, type PredictionData, type TruthData } from './types.js';

export interface JoinedRatings {
  readonly yTrue: Float64Array;
  readonly yPred: Float64Array;
}

/** Inner join on (user, item); duplicate pairs multiply out like pandas.merge. Row order: prediction order. */
export function joinRatings(truth: TruthData, preds: PredictionData): JoinedRatings {
  checkColumns('truth', { users: truth.users, items: truth.items, ratings: truth.ratings });
  const nPred = checkColumns('predictions', { users: preds.users, items: preds.items, scores: preds.scores });
  const nUsers = idSpace(truth.users);
  const csr = userItemCsr(truth.users, truth.items, nUsers, idSpace(truth.items), truth.ratings);
  const tOff = csr.userOffsets;
  const tItems = csr.userItems;
  const tRatings = csr.userValues!;
  let yTrue: Float64Array<ArrayBuffer> = new Float64Array(nPred);
  let yPred: Float64Array<ArrayBuffer> = new Float64Array(nPred);
  let n = 0;
  for (let r = 0; r < nPred; r++) {
    const u = preds.users[r]!;
    if (u >= nUsers) continue;
    const item = preds.items[r]!;
    const end = tOff[u + 1]!;
    for (let p = lowerBoundIn(tItems, tOff[u]!, end, item); p < end && tItems[p] === item; p++) {
      if (n === yTrue.length) {
        // only duplicate truth pairs can overflow: grow
        yTrue = grown(yTrue);
        yPred = grown(yPred);
      }
      yTrue[n] = tRatings[p]!;
      yPred[n++] = preds.scores[r]!;
    }
  }
  return { yTrue: yTrue.subarray(0, n), yPred: yPred.subarray(0, n) };
}

function grown(a: Float64Array): Float64Array<ArrayBuffer> {
  const next = new Float64Array(Math.max(16, a.length * 2));
  next.set(a);
  return next;
}

function nonEmpty(j: JoinedRatings, metric: string): number {
  const n = j.yTrue.length;
  if (n === 0) throw new Error(`${metric}: truth and predictions have no (user, item) pair in common`);
  return n;
}

export function rmseOf(j: JoinedRatings): number {
  const n = nonEmpty(j, 'rmse');
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = j.yTrue[i]! - j.yPred[i]!;
    s += d * d;
  }
  return Math.sqrt(s / n);
}

export function maeOf(j: JoinedRatings): number {
  const n = nonEmpty(j, 'mae');
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(j.yTrue[i]! - j.yPred[i]!);
  return s / n;
}

function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

/** sklearn `_assemble_r2_explained_variance` with force_finite=True, single output. */
function assemble(numerator: number, denominator: number): number {
  if (numerator === 0) return 1;
  if (denominator === 0) return 0;
  return 1 - numerator / denominator;
}

/** sklearn r2_score: 1 - Σ(y-ŷ)² / Σ(y-ȳ)². */
export function rsquaredOf(j: JoinedRatings): number {
  const n = nonEmpty(j, 'rsquared');
  if (n < 2) return NaN;
  const yBar = mean(j.yTrue);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const y = j.yTrue[i]!;
    const d = y - j.yPred[i]!;
    num += d * d;
    den += (y - yBar) * (y - yBar);
  }
  return assemble(num, den);
}

/** sklearn explained_variance_score: 1 - Var(y-ŷ) / Var(y) (population variances). */
export function expVarOf(j: JoinedRatings): number {
  const n = nonEmpty(j, 'exp_var');
  const yBar = mean(j.yTrue);
  let dBar = 0;
  for (let i = 0; i < n; i++) dBar += j.yTrue[i]! - j.yPred[i]!;
  dBar /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const y = j.yTrue[i]!;
    const e = y - j.yPred[i]! - dBar;
    num += e * e;
    den += (y - yBar) * (y - yBar);
  }
  return assemble(num / n, den / n);
}

export const rmse = (truth: TruthData, preds: PredictionData): number => rmseOf(joinRatings(truth, preds));
export const mae = (truth: TruthData, preds: PredictionData): number => maeOf(joinRatings(truth, preds));
export const rsquared = (truth: TruthData, preds: PredictionData): number => rsquaredOf(joinRatings(truth, preds));
export const expVar = (truth: TruthData, preds: PredictionData): number => expVarOf(joinRatings(truth, preds));
