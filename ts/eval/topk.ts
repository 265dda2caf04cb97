// Owns per-user top-k selection of predictions (Recommenders' `get_top_k_items`) and its tie rule.
//
// Order within a user: score descending, NaN scores last (pandas na_position='last'); ties broken
// by LOWER ITEM INDEX (then input row). Recommenders sorts with a stable sort, so its ties follow
// the input row order instead; the two agree whenever tied rows arrive in ascending item order.
// Rank = 1-based position in this order.

import { groupBy } from './group.js';
import { checkColumns, idSpace, type PredictionData } from './types.js';

/** Top-k rows per user: grouped by ascending user, each user's rows in rank order. */
export function topKPerUser(preds: PredictionData, k: number): PredictionData {
  if (!Number.isInteger(k) || k < 1) throw new Error(`topKPerUser: k must be a positive integer, got ${k}`);
  checkColumns('predictions', { users: preds.users, items: preds.items, scores: preds.scores });
  const { scores, items } = preds;
  const g = groupBy(preds.users, idSpace(preds.users));
  const nUsers = g.offsets.length - 1;

  let total = 0;
  for (let u = 0; u < nUsers; u++) total += Math.min(k, g.offsets[u + 1]! - g.offsets[u]!);
  const outRows = new Uint32Array(total);

  /** True when row a ranks strictly before row b. */
  const before = (a: number, b: number): boolean => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    if (sa > sb) return true;
    if (sa < sb) return false;
    const nanA = sa !== sa;
    if (nanA !== (sb !== sb)) return !nanA;
    const ia = items[a]!;
    const ib = items[b]!;
    return ia < ib || (ia === ib && a < b);
  };
  const cmp = (a: number, b: number): number => (a === b ? 0 : before(a, b) ? -1 : 1);

  const heap = new Uint32Array(k); // min-heap on "worst kept row" at the root
  const siftDown = (size: number): void => {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      const r = l + 1;
      const worse = r < size && before(heap[l]!, heap[r]!) ? r : l;
      if (!before(heap[i]!, heap[worse]!)) return;
      const t = heap[i]!;
      heap[i] = heap[worse]!;
      heap[worse] = t;
      i = worse;
    }
  };
  const siftUp = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(heap[p]!, heap[i]!)) return;
      const t = heap[i]!;
      heap[i] = heap[p]!;
      heap[p] = t;
      i = p;
    }
  };

  let w = 0;
  for (let u = 0; u < nUsers; u++) {
    const s = g.offsets[u]!;
    const e = g.offsets[u + 1]!;
    if (e === s) continue;
    let size = 0;
    if (e - s <= k) {
      outRows.set(g.order.subarray(s, e), w);
      size = e - s;
    } else {
      for (let p = s; p < e; p++) {
        const row = g.order[p]!;
        if (size < k) {
          heap[size] = row;
          siftUp(size++);
        } else if (before(row, heap[0]!)) {
          heap[0] = row;
          siftDown(size);
        }
      }
      outRows.set(heap.subarray(0, size), w);
    }
    outRows.subarray(w, w + size).sort(cmp);
    w += size;
  }

  const users = new Uint32Array(total);
  const outItems = new Uint32Array(total);
  const outScores = new Float32Array(total);
  for (let i = 0; i < total; i++) {
    const row = outRows[i]!;
    users[i] = preds.users[row]!;
    outItems[i] = items[row]!;
    outScores[i] = scores[row]!;
  }
  return { users, items: outItems, scores: outScores };
}
