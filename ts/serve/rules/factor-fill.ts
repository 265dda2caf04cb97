// Owns ranking "the rest" of a filtered answer from the model's factors: when a filter leaves fewer
// items of the stored list (its depth) than asked for, the user's vector is folded in from the
// items they interacted with (training items and events, each as one interaction of value 1,
// through the engine's fold-in solver, the same one that serves new users) and the items that pass
// the filter are scored against it, best first. The stored lists' scores are the model's own; this
// ranks like the model but, for explicit (rating) models, from presence rather than the ratings,
// so the filled part is the model's ordering of the filtered items, not its exact scores. Runs on
// the request thread: the solve is one rank × rank system, the scoring one dot product per item
// passing the filter (a filter that exhausts the stored depth passes few).

import { loadEngine } from '../../engine/index.js';
import type { Engine, FoldIn } from '../../engine/types.js';
import { foldInParams } from '../../model/demo-payload.js';
import type { ServingModel } from '../serving-model.js';
import type { Seen } from '../history.js';
import { offerTop } from '../top-list.js';

let engine: Engine | null | undefined;
const foldIns = new WeakMap<ServingModel, FoldIn | null>();

/** The model's fold-in, made on first use (null when no engine can load: the answer then fills from popularity). */
function foldInOf(model: ServingModel): FoldIn | null {
  let f = foldIns.get(model);
  if (f === undefined) {
    try {
      engine ??= loadEngine();
      const p = model.prepared;
      f = engine.createFoldIn({ rank: p.rank, itemFactors: p.itemFactors }, foldInParams(p.manifest.params, p.rank));
    } catch {
      engine = null;
      f = null;
    }
    foldIns.set(model, f);
  }
  return f;
}

/** The user's vector from what they interacted with, or null (nothing to fold in, or no engine). */
export function userVectorOf(model: ServingModel, seen: Seen): Float32Array | null {
  const n = seen.training.length + seen.events.length;
  if (n === 0) return null;
  const f = foldInOf(model);
  if (!f) return null;
  const items = new Uint32Array(n);
  items.set(seen.training);
  items.set(seen.events, seen.training.length);
  items.sort();
  let w = 0;
  for (let i = 0; i < n; i++) if (i === 0 || items[i] !== items[i - 1]) items[w++] = items[i]!;
  const v = f.userVector(items.subarray(0, w), new Float32Array(w).fill(1));
  return v.some((x) => x !== 0) ? v : null;
}

/** The `want` best items by vector · item factors among those `ok` lets through, best first. */
export function rankByFactors(model: ServingModel, vector: Float32Array, ok: (item: number) => boolean, want: number): { items: number[]; scores: number[] } {
  const { itemFactors: f, rank, itemCount } = model.prepared;
  const items: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < itemCount; i++) {
    if (!ok(i)) continue;
    let s = 0;
    const o = i * rank;
    for (let j = 0; j < rank; j++) s += vector[j]! * f[o + j]!;
    offerTop(items, scores, want, i, s);
  }
  return { items, scores };
}
