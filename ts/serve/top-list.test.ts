import { describe, expect, it } from 'vitest';
import { insertTop, offerTop } from './top-list.js';

// Reference: sort every candidate by score, descending, ties by arrival (a stable sort), keep `depth`.
function bruteForce(scores: number[], depth: number): number[] {
  return scores
    .map((s, i) => ({ s, i }))
    .sort((a, b) => b.s - a.s)
    .slice(0, depth)
    .map((x) => x.i);
}

describe('the top list', () => {
  it('keeps the best depth candidates, ties in arrival order, in typed arrays and in plain ones alike', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const depth of [1, 3, 10, 50]) {
      const candidates = Array.from({ length: 40 }, () => Math.round(rand() * 8) / 4); // many ties
      const items = new Uint32Array(depth);
      const scores = new Float32Array(depth);
      let count = 0;
      const plainItems: number[] = [];
      const plainScores: number[] = [];
      for (const [i, s] of candidates.entries()) {
        count = insertTop(items, scores, count, depth, i, s);
        offerTop(plainItems, plainScores, depth, i, s);
      }
      const expected = bruteForce(candidates, depth);
      expect([...items.subarray(0, count)]).toEqual(expected);
      expect(plainItems).toEqual(expected);
    }
  });
});
