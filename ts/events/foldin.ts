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

/** What a user's fold-in needs (their usable events as rows and values), or null when none of them is a known item. */
export function foldInInput(events: readonly FoldInEvent[], rowOf: (itemId: string) => number, s: FeedbackSettings = DEFAULT_FEEDBACK, now = Date.now()): ReturnType<typeof interactions> | null {
  const x = interactions(
    events.filter((e) => checkStoredEvent(e) === null),
    rowOf,
    s,
    now,
  );
  return x.items.length === 0 ? null : x;
}

/** Is there a positive signal to fold in? (else the user's list is empty: the API fills it from the popularity list) */
export function hasPositive(x: { values: Float32Array }): boolean {
  return x.values.some((v) => v > 0);
}

/** A user with known items but nothing to recommend from: an empty list, their items seen. */
export function emptyResult(x: { items: Uint32Array; used: number }): FoldInResult {
  return { items: new Uint32Array(0), scores: new Float32Array(0), seen: x.items, used: x.used };
}

/**
 * The user's result from the engine's vector and top-k row (k entries, EMPTY_ITEM-padded; the
 * arrays are used as they are, cut only when the row is short of k): an empty list when the
 * vector is zero.
 */
export function foldInResult(x: { items: Uint32Array; used: number }, vector: Float32Array, items: Uint32Array, scores: Float32Array): FoldInResult {
  if (!vector.some((v) => v !== 0)) return emptyResult(x);
  let n = 0;
  while (n < items.length && items[n] !== EMPTY_ITEM) n++;
  const full = n === items.length;
  return { items: full ? items : items.subarray(0, n), scores: full ? scores : scores.subarray(0, n), seen: x.items, used: x.used, vector };
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
  const x = foldInInput(events, rowOf, s, now);
  if (!x) return null;
  if (!hasPositive(x)) return emptyResult(x);
  const r = foldIn.recommend(x.items, x.values, k);
  return foldInResult(x, r.vector, r.items, r.scores);
}
