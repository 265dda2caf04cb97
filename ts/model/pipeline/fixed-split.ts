// Owns the fixed-split protocol (`train --train-file A --test-file B`): the given training file is
// prepared (duplicates resolved, the count filters applied to it alone), the given test file is
// deduplicated, and both are re-indexed together with the data a refit uses (A ∪ B, a pair in
// both kept once) so indices agree across the three. Every test row is kept: a test item the
// training file never saw stays relevant (and cannot be recommended), a test user it never saw
// is counted by the evaluation as unranked.

import { dedupeRows, kCoreRows, makeDataset, minCountRows, reindex, takeRows, type Dataset, type MinCounts } from '../../data/index.js';

export interface FixedSplit {
  /** Training rows + test rows, deduplicated (what a refit trains on). */
  all: Dataset;
  trainSet: Dataset;
  testSet: Dataset;
  duplicatesRemoved: number;
  filteredRows: number;
}

/** `train` and `test` must share id maps (parse both with the same IdMaps). */
export function fixedSplit(train: Dataset, test: Dataset, prep: { minCounts?: MinCounts; kCore?: number }): FixedSplit {
  if (train.userMap !== test.userMap || train.itemMap !== test.itemMap) throw new Error('fixedSplit: the training and test data must share id maps');
  let trainRows = dedupeRows(train);
  const dedupedTrain = trainRows.length;
  if (prep.minCounts) trainRows = minCountRows(train, trainRows, prep.minCounts);
  if (prep.kCore) trainRows = kCoreRows(train, trainRows, { users: prep.kCore, items: prep.kCore }).rows;
  const testRows = dedupeRows(test);
  const a = takeRows(train, trainRows);
  const b = takeRows(test, testRows);
  // One dataset of both, re-indexed so only ids that occur remain, then cut back apart.
  const both = reindex(concat(a, b));
  const trainSet = takeRows(both, range(0, a.length));
  const testSet = takeRows(both, range(a.length, both.length));
  const all = takeRows(both, dedupeRows(both));
  return {
    all,
    trainSet,
    testSet,
    duplicatesRemoved: train.length - dedupedTrain + (test.length - testRows.length),
    filteredRows: dedupedTrain - trainRows.length,
  };
}

function concat(a: Dataset, b: Dataset): Dataset {
  const join = <T extends Uint32Array | Float32Array | Float64Array>(x: T, y: T, out: T): T => {
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  const n = a.length + b.length;
  return makeDataset(
    {
      users: join(a.users, b.users, new Uint32Array(n)),
      items: join(a.items, b.items, new Uint32Array(n)),
      ratings: join(a.ratings, b.ratings, new Float32Array(n)),
      timestamps: join(a.timestamps, b.timestamps, new Float64Array(n)),
    },
    a.userMap,
    a.itemMap,
  );
}

function range(start: number, end: number): Uint32Array {
  const out = new Uint32Array(end - start);
  for (let k = 0; k < out.length; k++) out[k] = start + k;
  return out;
}
