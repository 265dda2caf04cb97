// Owns "items similar to this one": cosine similarity over the model's item factors, computed on
// request against unit-length factors (one pass over nItems × rank, a few tens of µs for
// thousands of items) and kept for the most recently asked items, so popular items cost a lookup.

export interface Similar {
  items: Uint32Array;
  scores: Float32Array;
}

export class SimilarItems {
  private readonly cache = new Map<number, Similar>();
  /** 1 for items whose factors are all zero (never similar to anything). */
  private readonly zero: Uint8Array;

  constructor(
    private readonly unit: Float32Array,
    private readonly rank: number,
    /** Results kept per item (the largest k served). */
    readonly depth: number,
    private readonly cacheSize = 10_000,
  ) {
    const n = unit.length / rank;
    this.zero = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let any = false;
      for (let j = 0; j < rank && !any; j++) any = unit[i * rank + j] !== 0;
      if (!any) this.zero[i] = 1;
    }
  }

  /** The `depth` items most similar to `item` (itself excluded), best first. */
  of(item: number): Similar {
    const hit = this.cache.get(item);
    if (hit) return hit;
    const result = this.compute(item, this.depth);
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(item, result);
    return result;
  }

  /** The `depth` items most similar to `item`, computed now and not kept (deeper than `of`, when blocked items must be skipped). */
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
      if (count === depth && s <= scores[depth - 1]!) continue;
      // insertion into the sorted top list (ties keep the lower item first)
      let p = count < depth ? count++ : depth - 1;
      while (p > 0 && scores[p - 1]! < s) {
        scores[p] = scores[p - 1]!;
        items[p] = items[p - 1]!;
        p--;
      }
      scores[p] = s;
      items[p] = i;
    }
    return { items: items.subarray(0, count), scores: scores.subarray(0, count) };
  }
}
