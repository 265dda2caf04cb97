// Owns the optional diversity re-rank of an answer (`diversity` in [0, 1], `maxPerCategory`):
// maximal marginal relevance over the item factors — repeatedly take the candidate maximising
// (1 − diversity) · relevance − diversity · (its largest cosine to an item already taken), where
// relevance is the candidate's score scaled to [0, 1] over the pool (its rank when the scores are
// all equal) — and/or at most `maxPerCategory` items sharing any one category. The pool is the
// answer picked 3 × as deep as asked (never past the largest window), so a page is the same slice
// of one deterministic order: pages never repeat an item. Scores are rewritten to stay
// non-increasing (each item keeps its own score capped by the one above).

import type { Picked } from './recommend.js';

export interface Diversify {
  /** 0: the plain list; 1: as different as possible. */
  diversity: number;
  /** At most this many items per category (0: no cap). */
  maxPerCategory: number;
}

export interface DiversityContext {
  /** Unit-length factors of an item row, or null (no factors: cosine 0 with everything). */
  unit(item: number): Float32Array | null;
  /** The item's categories (lower-cased). */
  categories(item: number): readonly string[];
}

/** The first `want` items of `pool` (items from index 0) re-ranked; the page is offset..want. */
export function diversify(pool: Picked, d: Diversify, ctx: DiversityContext, offset: number, want: number): Picked {
  const n = pool.start + pool.count;
  const firstFilled = n - pool.fromFallback;
  const cand = Array.from({ length: n }, (_, i) => i);
  const score = (i: number) => pool.scores[i]!;
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of cand) (lo = Math.min(lo, score(i))), (hi = Math.max(hi, score(i)));
  const rel = (i: number) => (hi > lo ? (score(i) - lo) / (hi - lo) : 1 - i / Math.max(1, n));
  const taken: number[] = [];
  const maxSim = new Float64Array(n).fill(0);
  const perCategory = new Map<string, number>();
  const left = new Set(cand);
  const capped = (i: number) => d.maxPerCategory > 0 && ctx.categories(pool.items[i]!).some((c) => (perCategory.get(c) ?? 0) >= d.maxPerCategory);
  while (taken.length < want && left.size > 0) {
    let best = -1;
    let bestValue = -Infinity;
    for (const i of left) {
      if (capped(i)) continue;
      const value = (1 - d.diversity) * rel(i) - d.diversity * maxSim[i]!;
      if (value > bestValue) (bestValue = value), (best = i);
    }
    if (best < 0) break; // every candidate left is over its category cap
    left.delete(best);
    taken.push(best);
    for (const c of ctx.categories(pool.items[best]!)) perCategory.set(c, (perCategory.get(c) ?? 0) + 1);
    const u = d.diversity > 0 ? ctx.unit(pool.items[best]!) : null;
    if (u) {
      for (const i of left) {
        const v = ctx.unit(pool.items[i]!);
        if (!v) continue;
        let s = 0;
        for (let j = 0; j < u.length; j++) s += u[j]! * v[j]!;
        if (s > maxSim[i]!) maxSim[i] = s;
      }
    }
  }
  const items = taken.map((i) => pool.items[i]!);
  const scores: number[] = [];
  taken.forEach((i, x) => scores.push(x === 0 ? score(i) : Math.min(score(i), scores[x - 1]!)));
  const origins = Uint8Array.from(taken, (i) => (pool.origins ? pool.origins[i]! : i >= firstFilled ? 1 : 0));
  const start = Math.min(offset, items.length);
  let fromFallback = 0;
  for (let i = start; i < items.length; i++) if (origins[i] === 1) fromFallback++;
  return { items, scores, start, count: items.length - start, fromFallback, origins };
}
