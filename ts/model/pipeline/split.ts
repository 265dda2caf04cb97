// Owns applying a split option (random, stratified or chrono, Recommenders' semantics) to a
// dataset: the training part first, then the test part.

import { chronoSplit, randomSplit, splitDatasets, stratifiedSplit, type Dataset } from '../../data/index.js';
import type { SplitOptions } from './options.js';

export function splitDataset(all: Dataset, s: SplitOptions): Dataset[] {
  const rows =
    s.method === 'random'
      ? randomSplit(all, { ratio: s.ratio, seed: s.seed })
      : s.method === 'stratified'
        ? stratifiedSplit(all, { ratio: s.ratio, filterBy: s.by, seed: s.seed, minRating: s.minRating })
        : chronoSplit(all, { ratio: s.ratio, filterBy: s.by, minRating: s.minRating });
  return splitDatasets(all, rows);
}
