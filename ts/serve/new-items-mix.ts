// Owns putting new items (./new-items.ts) into answers: re-scoring a user's list against them (the
// mixing rule: a new item enters where its score u·v places it when it beats the list's last
// score or the list is shorter than its depth; the list keeps its depth) and adding them to an
// item's similar items by cosine.

import type { NewItem } from './new-items.js';
import type { Similar } from './similar.js';
import { offerTop } from './top-list.js';

export interface ScoredList {
  items: ArrayLike<number>;
  scores: ArrayLike<number>;
}

/** `list` with the new items `ok` lets through mixed in by their score against `user`, `depth` long at most. */
export function mixNewItems(list: ScoredList, user: Float32Array, news: Iterable<NewItem>, depth: number, ok: (n: NewItem) => boolean): ScoredList {
  const extra: [number, number][] = [];
  const last = list.items.length >= depth ? list.scores[list.items.length - 1]! : -Infinity;
  for (const n of news) {
    if (!ok(n)) continue;
    let s = 0;
    for (let j = 0; j < user.length; j++) s += user[j]! * n.vector[j]!;
    if (s > last) extra.push([n.row, s]);
  }
  if (extra.length === 0) return list;
  extra.sort((a, b) => b[1] - a[1]);
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

/** `sim` (of an item with unit factors `unit`) with the new items merged in by cosine, `depth` long at most; `self` left out. */
export function similarWithNew(sim: Similar, unit: Float32Array, news: Iterable<NewItem>, depth: number, self: number, ok: (n: NewItem) => boolean): ScoredList {
  const extra: NewItem[] = [...news].filter((n) => n.row !== self && ok(n));
  if (extra.length === 0) return sim;
  return mixNewItems(
    sim,
    unit,
    extra.map((n) => ({ ...n, vector: n.unit })),
    depth,
    () => true,
  );
}

/** The `depth` items (the model's and the other new ones) most cosine-similar to new item `self` with unit vector `unit`. */
export function similarToNew(unit: Float32Array, modelUnits: Float32Array, rank: number, news: Iterable<NewItem>, depth: number, self: number, ok: (n: NewItem) => boolean): ScoredList {
  const items: number[] = [];
  const scores: number[] = [];
  const consider = (row: number, s: number) => offerTop(items, scores, depth, row, s);
  const n = modelUnits.length / rank;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < rank; j++) s += unit[j]! * modelUnits[i * rank + j]!;
    if (s !== 0) consider(i, s);
  }
  for (const x of news) {
    if (x.row === self || !ok(x)) continue;
    let s = 0;
    for (let j = 0; j < rank; j++) s += unit[j]! * x.unit[j]!;
    consider(x.row, s);
  }
  return { items, scores };
}
