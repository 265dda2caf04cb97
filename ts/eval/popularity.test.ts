import { describe, expect, it } from 'vitest';
import { itemPopularity, popularityRecommendations } from './popularity.js';
import { assertNoTrainItems, indexTrain } from './train-index.js';

const data = (rows: [number, number][]) => ({
  users: Uint32Array.from(rows, (r) => r[0]),
  items: Uint32Array.from(rows, (r) => r[1]),
});

// counts: item 3 → 3, item 1 → 2, item 4 → 2, item 0 → 1; item 2 never seen
const train = data([
  [0, 3],
  [1, 3],
  [2, 3],
  [0, 1],
  [1, 4],
  [2, 1],
  [2, 4],
  [1, 0],
]);

describe('popularity baseline', () => {
  it('counts train rows per item', () => {
    expect(Array.from(itemPopularity(train))).toEqual([1, 2, 0, 3, 2]);
  });

  it('recommends the most popular unseen items, ties to the lower item index', () => {
    const p = popularityRecommendations(train, [0, 1, 9, 0], 2);
    // u0 saw 3, 1 → 4, 0. u1 saw 3, 4, 0 → only 1 is left (item 2 was never seen, so it is no
    // candidate). u9 is cold → global top: 3, then 1 (tied with 4, lower index). Repeated u0 ignored.
    expect(Array.from(p.users)).toEqual([0, 0, 1, 9, 9]);
    expect(Array.from(p.items)).toEqual([4, 0, 1, 3, 1]);
    expect(Array.from(p.scores)).toEqual([2, 1, 2, 3, 2]);
    expect(() => assertNoTrainItems(indexTrain(train), p)).not.toThrow();
  });

  it('rejects a bad k', () => {
    expect(() => popularityRecommendations(train, [0], 0)).toThrow(/positive integer/);
  });
});
