// Owns turning a user's stored events into fold-in input and a result: one value per known item
// (the latest rating when the item was rated, else the sum of its implicit weights; items the
// model does not know are skipped, and so are stored rows no model can use, ./stored-check.ts),
// folded in against the model's item factors, top-k of the items the user has not interacted
// with. A rating ≤ 0 is a negative signal (implicit models: preference 0 with its confidence);
// a user with no positive signal at all gets an empty list (the API fills it from the popularity
// list, the user's items left out), never a list of zero scores.

import type { FoldIn } from '../engine/types.js';
import { EMPTY_ITEM } from '../engine/types.js';
import { checkStoredEvent } from './stored-check.js';
import type { FoldInEvent } from './types.js';
import { DEFAULT_FEEDBACK, decayFactor, strength, type FeedbackSettings } from './feedback.js';

export interface FoldInResult {
  /** Item rows, best first. */
  items: Uint32Array;
  scores: Float32Array;
  /** Item rows the user interacted with, ascending (never recommended to the user). */
  seen: Uint32Array;
  /** How many events mapped to known items. */
  used: number;
  /** The user's folded-in vector (absent when it is zero: no positive signal). */
  vector?: Float32Array;
}

/**
 * Per-item values of `events` (oldest first), as rows of the model: the latest rating or dislike
 * of an item, else the sum of its implicit values, each × its type's weight × 2^(−age / half-life),
 * a rating below `negativeBelow` a dislike (./feedback.ts; `now` is the time ages are measured from).
 */
export function interactions(
  events: readonly FoldInEvent[],
  rowOf: (itemId: string) => number,
  s: FeedbackSettings = DEFAULT_FEEDBACK,
  now = Date.now(),
): { items: Uint32Array; values: Float32Array; used: number } {
  const decay = { halfLifeMs: s.halfLifeMs, now };
  if (events.length === 1) {
    // one event (a new user's first, the common case in real time): no maps, no sort
    const e = events[0]!;
    const row = rowOf(e.itemId);
    if (row < 0) return { items: new Uint32Array(0), values: new Float32Array(0), used: 0 };
    return { items: Uint32Array.of(row), values: Float32Array.of(strength(e.type, e.value, decayFactor(decay, e.timestamp), s)), used: 1 };
  }
  const rated = new Map<number, number>();
  const implicit = new Map<number, number>();
  let used = 0;
  for (const e of events) {
    const row = rowOf(e.itemId);
    if (row < 0) continue;
    used++;
    const v = strength(e.type, e.value, decayFactor(decay, e.timestamp), s);
    if (e.type === 'rating' || e.type === 'dislike') rated.set(row, v);
    else implicit.set(row, (implicit.get(row) ?? 0) + v);
  }
  for (const [row, v] of implicit) if (!rated.has(row)) rated.set(row, v);
  const rows = [...rated.keys()].sort((a, b) => a - b);
  return { items: Uint32Array.from(rows), values: Float32Array.from(rows, (r) => rated.get(r)!), used };
}

/** The user's top-k from their events, or null when none of them is a known item. */
export function foldInUser(
  foldIn: FoldIn,
  events: readonly FoldInEvent[],
  rowOf: (itemId: string) => number,
  k: number,
  s: FeedbackSettings = DEFAULT_FEEDBACK,
  now = Date.now(),
): FoldInResult | null {
  const x = interactions(
    events.filter((e) => checkStoredEvent(e) === null),
    rowOf,
    s,
    now,
  );
  if (x.items.length === 0) return null;
  const none = { items: new Uint32Array(0), scores: new Float32Array(0), seen: x.items, used: x.used };
  if (!x.values.some((v) => v > 0)) return none;
  const r = foldIn.recommend(x.items, x.values, k);
  if (!r.vector.some((v) => v !== 0)) return none;
  let n = 0;
  while (n < r.items.length && r.items[n] !== EMPTY_ITEM) n++;
  // the engine's arrays are this call's own: cut only when the list is short of k
  const full = n === r.items.length;
  return { items: full ? r.items : r.items.slice(0, n), scores: full ? r.scores : r.scores.slice(0, n), seen: x.items, used: x.used, vector: r.vector };
}
