// Owns the popularity baseline: each user gets the k items with the most train rows that the user
// has not interacted with in train. Ties: lower item index first. Score = the item's train count.

import { checkColumns, idSpace, type InteractionData, type PredictionData } from './types.js';

/** Train rows per item (length = train item id space). */
export function itemPopularity(train: InteractionData): Uint32Array {
  checkColumns('train', { users: train.users, items: train.items });
  const counts = new Uint32Array(idSpace(train.items));
  for (let r = 0; r < train.items.length; r++) counts[train.items[r]!]!++;
  return counts;
}

/**
 * Top-k popular unseen items for each of `users` (duplicates ignored; users absent from train get
 * the global top k). Rows grouped by user in first-occurrence order, each list in rank order.
 * Only items seen in train are candidates, so a list can be shorter than k.
 */
export function popularityRecommendations(train: InteractionData, users: ArrayLike<number>, k: number): PredictionData {
  if (!Number.isInteger(k) || k < 1) throw new Error(`popularityRecommendations: k must be a positive integer, got ${k}`);
  const counts = itemPopularity(train);
  const ranked = rankByCount(counts);

  // the train items of each user, as CSR over the train user id space
  const nTrainUsers = idSpace(train.users);
  const offsets = new Uint32Array(nTrainUsers + 1);
  for (let r = 0; r < train.users.length; r++) offsets[train.users[r]! + 1]!++;
  for (let u = 0; u < nTrainUsers; u++) offsets[u + 1]! += offsets[u]!;
  const cursor = offsets.slice(0, nTrainUsers);
  const seenItems = new Uint32Array(train.users.length);
  for (let r = 0; r < train.users.length; r++) seenItems[cursor[train.users[r]!]!++] = train.items[r]!;

  const stamp = new Int32Array(counts.length).fill(-1); // item → last user (position) that saw it
  const done = new Set<number>();
  const outUsers: number[] = [];
  const outItems: number[] = [];
  const outScores: number[] = [];
  for (let p = 0; p < users.length; p++) {
    const u = users[p]!;
    if (done.has(u)) continue;
    done.add(u);
    if (u < nTrainUsers) for (let q = offsets[u]!; q < offsets[u + 1]!; q++) stamp[seenItems[q]!] = p;
    let got = 0;
    for (let j = 0; j < ranked.length && got < k; j++) {
      const item = ranked[j]!;
      if (stamp[item] === p) continue;
      outUsers.push(u);
      outItems.push(item);
      outScores.push(counts[item]!);
      got++;
    }
  }
  return { users: Uint32Array.from(outUsers), items: Uint32Array.from(outItems), scores: Float32Array.from(outScores) };
}

/** Items with a positive count, by count descending then item ascending. */
function rankByCount(counts: Uint32Array): Uint32Array {
  const items: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) items.push(i);
  const ranked = Uint32Array.from(items);
  ranked.sort((a, b) => counts[b]! - counts[a]! || a - b);
  return ranked;
}
