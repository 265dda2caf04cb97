// Owns turning a user's stored events into fold-in input and a result: one value per known item
// (the latest rating when the item was rated, else the sum of its implicit weights; items the
// model does not know are skipped), folded in against the model's item factors, top-k of the
// items the user has not interacted with.

import type { FoldIn } from '../engine/types.js';
import { EMPTY_ITEM } from '../engine/types.js';
import type { TrackedEvent } from './types.js';

export interface FoldInResult {
  /** Item rows, best first. */
  items: Uint32Array;
  scores: Float32Array;
  /** How many events mapped to known items. */
  used: number;
  /** The item rows the events are about, sorted (never recommended to the user). */
  seen: Uint32Array;
}

/** Per-item values of `events` (oldest first), as rows of the model. */
export function interactions(events: readonly TrackedEvent[], rowOf: (itemId: string) => number): { items: Uint32Array; values: Float32Array; used: number } {
  const rated = new Map<number, number>();
  const implicit = new Map<number, number>();
  let used = 0;
  for (const e of events) {
    const row = rowOf(e.itemId);
    if (row < 0) continue;
    used++;
    if (e.type === 'rating') rated.set(row, e.value);
    else implicit.set(row, (implicit.get(row) ?? 0) + e.value);
  }
  for (const [row, v] of implicit) if (!rated.has(row)) rated.set(row, v);
  const rows = [...rated.keys()].sort((a, b) => a - b);
  return { items: Uint32Array.from(rows), values: Float32Array.from(rows, (r) => rated.get(r)!), used };
}

/** The user's top-k from their events, or null when none of them is a known item. */
export function foldInUser(foldIn: FoldIn, events: readonly TrackedEvent[], rowOf: (itemId: string) => number, k: number): FoldInResult | null {
  const x = interactions(events, rowOf);
  if (x.items.length === 0) return null;
  const r = foldIn.recommend(x.items, x.values, k);
  let n = 0;
  while (n < r.items.length && r.items[n] !== EMPTY_ITEM) n++;
  return { items: r.items.slice(0, n), scores: r.scores.slice(0, n), used: x.used, seen: x.items };
}
