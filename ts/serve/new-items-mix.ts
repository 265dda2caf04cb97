// Owns putting new items (./new-items.ts) into answers: re-scoring a user's list against them (the
// mixing rule: a new item enters where its score u·v places it when it beats the list's last
// score or the list is shorter than its depth; the list keeps its depth) and adding them to an
// item's similar items by cosine. Both score against the packed matrices (./new-items-matrix.ts):
// one dot product per new item, then a merge of the few that enter.

import type { NewItemMatrix } from './new-items-matrix.js';
import type { Similar } from './similar.js';
import { offerTop } from './top-list.js';

export interface ScoredList {
  items: ArrayLike<number>;
  scores: ArrayLike<number>;
}

/** `list` with the new items of `news` that `ok` lets through mixed in by their score against `user`, `depth` long at most. */
export function mixNewItems(list: ScoredList, user: Float32Array, news: NewItemMatrix, depth: number, ok: (row: number) => boolean): ScoredList {
  if (news.count === 0) return list;
  const last = list.items.length >= depth ? list.scores[list.items.length - 1]! : -Infinity;
  return merged(list, news.above(user, last, ok), depth);
}

/** `list` and `extra` (best first) merged by score, `depth` long at most. */
function merged(list: ScoredList, extra: readonly [number, number][], depth: number): ScoredList {
  if (extra.length === 0) return list;
  const items: number[] = [];
  const scores: number[] = [];
  let i = 0;
  let e = 0;
  while (items.length < depth && (i < list.items.length || e < extra.length)) {
    if (e < extra.length && (i >= list.items.length || extra[e]![1] > list.scores[i]!)) {
      items.push(extra[e]![0]);
      scores.push(extra[e++]![1]);
    } else {
      items.push(list.items[i]!);
      scores.push(list.scores[i++]!);
    }
  }
  return { items, scores };
}

/** `sim` (of an item with unit factors `unit`) with the new items' unit vectors `units` merged in by cosine, `depth` long at most; `self` left out. */
export function similarWithNew(sim: Similar, unit: Float32Array, units: NewItemMatrix, depth: number, self: number, ok: (row: number) => boolean): ScoredList {
  return mixNewItems(sim, unit, units, depth, (row) => row !== self && ok(row));
}

/** The `depth` items (the model's and the other new ones) most cosine-similar to new item `self` with unit vector `unit`. */
export function similarToNew(unit: Float32Array, modelUnits: Float32Array, rank: number, units: NewItemMatrix, depth: number, self: number, ok: (row: number) => boolean): ScoredList {
  const items: number[] = [];
  const scores: number[] = [];
  const n = modelUnits.length / rank;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < rank; j++) s += unit[j]! * modelUnits[i * rank + j]!;
    if (s !== 0) offerTop(items, scores, depth, i, s);
  }
  for (const [row, s] of units.above(unit, -Infinity, (row) => row !== self && ok(row))) offerTop(items, scores, depth, row, s);
  return { items, scores };
}
