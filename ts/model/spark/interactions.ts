// Owns reading the interactions and test files given to `recs import spark` in the model's id
// space: ids are matched against the model's (mapped) user and item ids. Interactions of users or
// items the model has no factors for cannot be excluded or ranked and are left out, counted and
// reported; test rows are kept whole (a test user the model does not know scores 0 in NDCG, as in
// `recs train`'s protocol).

import { IdMap, makeDataset, parseRatingsFile, takeRows, type ColumnSpec, type Dataset } from '../../data/index.js';

export interface InteractionFiles {
  /** The interactions the model was trained on: seen items are left out of the lists. */
  interactions?: string;
  /** A test file to evaluate on (needs `interactions`). */
  testFile?: string;
  delimiter?: string;
  columns?: ColumnSpec;
  skipBadLines?: boolean;
}

export interface ModelSpaceData {
  /** Interactions of known users and items (indices < nUsers / nItems), or null. */
  train: Dataset | null;
  test: Dataset | null;
  /** Interaction rows left out because the model has no factors for their user or item. */
  unknownRows: number;
  badLines: number;
}

export async function readInModelSpace(userIds: readonly string[], itemIds: readonly string[], f: InteractionFiles): Promise<ModelSpaceData> {
  if (f.testFile && !f.interactions) throw new Error('--test-file needs --interactions FILE (the training interactions: seen items are excluded and the popularity baseline is computed from them)');
  if (!f.interactions) return { train: null, test: null, unknownRows: 0, badLines: 0 };
  const userMap = IdMap.from(userIds);
  const itemMap = IdMap.from(itemIds);
  const nUsers = userIds.length;
  const nItems = itemIds.length;
  const opts = { userMap, itemMap, skipBadLines: f.skipBadLines ?? false, ...(f.delimiter !== undefined ? { delimiter: f.delimiter } : {}), ...(f.columns ? { columns: f.columns } : {}) };
  const parsed = await parseRatingsFile(f.interactions, opts);
  const all = parsed.dataset;
  const keep: number[] = [];
  for (let r = 0; r < all.length; r++) if (all.users[r]! < nUsers && all.items[r]! < nItems) keep.push(r);
  const train = keep.length === all.length ? all : takeRows(all, keep);
  let test: Dataset | null = null;
  let badLines = parsed.badLines.count;
  if (f.testFile) {
    const t = await parseRatingsFile(f.testFile, opts);
    badLines += t.badLines.count;
    test = t.dataset;
  }
  // Both datasets index into the same (grown) maps; their ids beyond the model's are never ranked.
  const fix = (d: Dataset) => makeDataset({ users: d.users, items: d.items, ratings: d.ratings, timestamps: d.timestamps }, userMap, itemMap);
  return { train: fix(train), test: test ? fix(test) : null, unknownRows: all.length - keep.length, badLines };
}
