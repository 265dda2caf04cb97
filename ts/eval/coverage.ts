// Owns the coverage and novelty metrics: catalogCoverage, distributionalCoverage,
// historicalItemNovelty, novelty.
//
// As Recommenders' python_evaluation (recommenders-team/recommenders @ b02c95e, v1.2.1+):
// - catalog_coverage = #distinct recommended items / #distinct train items;
// - distributional_coverage = -Σ_i p(i)·log2 p(i), p(i) = share of recommendation rows with item i;
// - historical_item_novelty(i) = -log2(train rows of i / train rows), for items seen in train;
// - novelty = Σ over recommendation rows whose item is in train of novelty(item), divided by
//   ALL recommendation rows (the inner merge drops unseen items from the numerator only).
// All refuse recommendations containing a train pair of that user (train-index.ts).

import { assertNoTrainItems, indexTrain, itemCount, type TrainIndex } from './train-index.js';
import { idSpace, type InteractionData, type RecsData } from './types.js';

const noNegZero = (x: number): number => (x === 0 ? 0 : x);

/** Recommendation rows per item (id space covers recs and train items). */
function recItemCounts(recs: RecsData, nItems: number): Uint32Array {
  const c = new Uint32Array(Math.max(nItems, idSpace(recs.items)));
  for (let r = 0; r < recs.items.length; r++) c[recs.items[r]!]!++;
  return c;
}

function checked(train: InteractionData | TrainIndex, recs: RecsData): TrainIndex {
  const ix = 'byUser' in train ? train : indexTrain(train);
  assertNoTrainItems(ix, recs);
  return ix;
}

export function catalogCoverage(train: InteractionData | TrainIndex, recs: RecsData): number {
  const ix = checked(train, recs);
  const nTrainItems = ix.byItem.offsets.length - 1;
  let trainDistinct = 0;
  for (let i = 0; i < nTrainItems; i++) if (itemCount(ix, i) > 0) trainDistinct++;
  let recDistinct = 0;
  for (const c of recItemCounts(recs, 0)) if (c > 0) recDistinct++;
  return recDistinct / trainDistinct;
}

export function distributionalCoverage(train: InteractionData | TrainIndex, recs: RecsData): number {
  checked(train, recs);
  const n = recs.items.length;
  let h = 0;
  for (const c of recItemCounts(recs, 0)) {
    if (c === 0) continue;
    const p = c / n;
    h += p * Math.log2(p);
  }
  return noNegZero(-h);
}

/** Novelty of every item seen in train, ascending item ids. */
export function historicalItemNovelty(train: InteractionData | TrainIndex, recs: RecsData): { items: Uint32Array; novelty: Float64Array } {
  const ix = checked(train, recs);
  const nItems = ix.byItem.offsets.length - 1;
  const items: number[] = [];
  const novelty: number[] = [];
  for (let i = 0; i < nItems; i++) {
    const c = itemCount(ix, i);
    if (c === 0) continue;
    items.push(i);
    novelty.push(noNegZero(-Math.log2(c / ix.rows)));
  }
  return { items: Uint32Array.from(items), novelty: Float64Array.from(novelty) };
}

export function novelty(train: InteractionData | TrainIndex, recs: RecsData): number {
  const ix = checked(train, recs);
  let sum = 0;
  for (let r = 0; r < recs.items.length; r++) {
    const c = itemCount(ix, recs.items[r]!);
    if (c > 0) sum += -Math.log2(c / ix.rows);
  }
  return noNegZero(sum / recs.items.length);
}
