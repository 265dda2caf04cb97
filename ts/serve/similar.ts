// Owns "items similar to this one", from whichever part the model has: cosine similarity over the
// item factors, computed on request against unit-length factors (one pass over nItems × rank, a
// few tens of µs for thousands of items), or the largest weights in the item's column of an
// item-item weight matrix (EASE's B); either is kept for the most recently asked items, so popular
// items cost a lookup.

import { similarByWeights } from '../model/algorithms/item-weights.js';
import { insertTop } from './top-list.js';
import { Lru } from '../util/lru.js';

export interface Similar {
  items: Uint32Array;
  scores: Float32Array;
}

/** The most recently asked items' answers (`depth` deep), computed by `compute` on a miss. */
export abstract class CachedSimilar {
  private readonly cache = new Lru<number, Similar>(); // oldest asked first

  constructor(
    /** Results kept per item (the largest k served). */
    readonly depth: number,
    private readonly cacheSize: number,
  ) {}

  /** The `depth` items most similar to `item` (itself excluded), best first. */
  of(item: number): Similar {
    const hit = this.cache.peek(item);
    if (hit) return hit;
    const result = this.compute(item, this.depth);
    if (this.cache.size >= this.cacheSize) this.cache.shift();
    this.cache.set(item, result);
    return result;
  }

  /** The `depth` items most similar to `item`, computed now and not kept (deeper than `of`, when blocked items must be skipped). */
  abstract compute(item: number, depth: number): Similar;
}

/** From item-item weights: the items whose weight towards `item` is largest (positive weights only). */
export class WeightSimilarItems extends CachedSimilar {
  constructor(
    private readonly w: { n: number; weights: Float32Array },
    depth: number,
    cacheSize = 10_000,
  ) {
    super(depth, cacheSize);
  }

  compute(item: number, depth: number): Similar {
    return similarByWeights(this.w, item, depth);
  }
}

export class SimilarItems extends CachedSimilar {
  /** 1 for items whose factors are all zero (never similar to anything). */
  private readonly zero: Uint8Array;

  constructor(
    private readonly unit: Float32Array,
    private readonly rank: number,
    depth: number,
    cacheSize = 10_000,
  ) {
    super(depth, cacheSize);
    const n = unit.length / rank;
    this.zero = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let any = false;
      for (let j = 0; j < rank && !any; j++) any = unit[i * rank + j] !== 0;
      if (!any) this.zero[i] = 1;
    }
  }

  compute(item: number, depth: number): Similar {
    const { unit, rank } = this;
    const n = unit.length / rank;
    const items = new Uint32Array(depth);
    const scores = new Float32Array(depth).fill(-Infinity);
    let count = 0;
    const q = item * rank;
    if (this.zero[item] === 1) return { items: items.subarray(0, 0), scores: scores.subarray(0, 0) };
    for (let i = 0; i < n; i++) {
      if (i === item || this.zero[i] === 1) continue;
      const o = i * rank;
      let s = 0;
      for (let j = 0; j < rank; j++) s += unit[q + j]! * unit[o + j]!;
      count = insertTop(items, scores, count, depth, i, s); // ties keep the lower item first
    }
    return { items: items.subarray(0, count), scores: scores.subarray(0, count) };
  }
}
