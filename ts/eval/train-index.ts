// Owns the train-side index of the beyond-accuracy metrics (user → items, item → users, item
// counts) and the check that recommendations contain no (user, item) pair seen in train.
//
// The check mirrors Recommenders' `_check_column_dtypes_diversity_serendipity` /
// `_check_column_dtypes_novelty_coverage`, which raise when reco_df ∩ train_df ≠ ∅: every
// beyond-accuracy metric (coverage, novelty, diversity, serendipity) refuses such input.

import { lowerBoundIn, userItemCsr } from './group.js';
import { checkColumns, idSpace, type InteractionData, type RecsData } from './types.js';

export interface TrainIndex {
  readonly train: InteractionData;
  readonly rows: number;
  /** Train rows grouped by user, items ascending within a user (id space: train users). */
  readonly byUser: { readonly offsets: Uint32Array; readonly items: Uint32Array };
  /** Train rows grouped by item: the users of each item (id space: train items). */
  readonly byItem: { readonly offsets: Uint32Array; readonly users: Uint32Array };
}

export function indexTrain(train: InteractionData): TrainIndex {
  const rows = checkColumns('train', { users: train.users, items: train.items });
  const csr = userItemCsr(train.users, train.items, idSpace(train.users), idSpace(train.items));
  return {
    train,
    rows,
    byUser: { offsets: csr.userOffsets, items: csr.userItems },
    byItem: { offsets: csr.itemOffsets, users: csr.itemUsers },
  };
}

/** Train rows of an item (0 for items never seen in train). */
export function itemCount(ix: TrainIndex, item: number): number {
  const o = ix.byItem.offsets;
  return item + 1 < o.length ? o[item + 1]! - o[item]! : 0;
}

/** [start, end) of a user's train items in byUser.items (empty for users never seen in train). */
export function userRange(ix: TrainIndex, user: number): [number, number] {
  const o = ix.byUser.offsets;
  return user + 1 < o.length ? [o[user]!, o[user + 1]!] : [0, 0];
}

/** Throws if any recommended (user, item) pair occurs in train, as Recommenders does. */
export function assertNoTrainItems(ix: TrainIndex, recs: RecsData): void {
  const n = checkColumns('recommendations', { users: recs.users, items: recs.items, relevance: recs.relevance });
  let bad = 0;
  let example = '';
  for (let r = 0; r < n; r++) {
    const [s, e] = userRange(ix, recs.users[r]!);
    if (s === e) continue;
    const item = recs.items[r]!;
    const p = lowerBoundIn(ix.byUser.items, s, e, item);
    if (p < e && ix.byUser.items[p] === item) {
      if (bad++ === 0) example = ` (first: user ${recs.users[r]}, item ${item})`;
    }
  }
  if (bad > 0) {
    throw new Error(`recommendations contain ${bad} (user, item) pair(s) already in train${example}; ` + 'beyond-accuracy metrics refuse them, as Recommenders does: filter seen items first');
  }
}
