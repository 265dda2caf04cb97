import { describe, expect, it } from 'vitest';
import { catalogCoverage, distributionalCoverage, novelty } from './coverage.js';
import { diversity, serendipity } from './diversity.js';
import { map, mapAtK, ndcgAtK, precisionAtK, recallAtK, rPrecisionAtK } from './ranking.js';
import { evaluateRanking, evaluateRatings } from './report.js';
import { topKPerUser } from './topk.js';

const u32 = (a: number[]): Uint32Array => Uint32Array.from(a);
const f32 = (a: number[]): Float32Array => Float32Array.from(a);

// Recommenders' diversity_data train; test and scored recommendations made up around it.
const train = { users: u32([1, 1, 1, 2, 2, 3, 3, 3]), items: u32([1, 2, 4, 3, 4, 3, 4, 5]) };
const test = { users: u32([1, 1, 2, 3, 4]), items: u32([3, 6, 5, 1, 2]), ratings: f32([5, 3, 4, 2, 5]) };
const recs = {
  users: u32([1, 1, 1, 2, 2, 3, 3, 5]),
  items: u32([3, 5, 6, 2, 5, 1, 2, 1]),
  scores: f32([0.9, 0.8, 0.1, 0.7, 0.6, 0.5, 0.4, 1]),
};

describe('evaluateRanking', () => {
  it('equals the individual metrics, beyond-accuracy ones on the top-k lists', () => {
    const k = 2;
    const r = evaluateRanking(train, test, recs, k);
    const top = topKPerUser(recs, k);
    expect(r).toEqual({
      k,
      users: 3,
      testUsers: 4,
      precisionAtK: precisionAtK(test, recs, k),
      recallAtK: recallAtK(test, recs, k),
      ndcgAtK: ndcgAtK(test, recs, k),
      map: map(test, recs, k),
      mapAtK: mapAtK(test, recs, k),
      rPrecisionAtK: rPrecisionAtK(test, recs, k),
      catalogCoverage: catalogCoverage(train, top),
      distributionalCoverage: distributionalCoverage(train, top),
      novelty: novelty(train, top),
      diversity: diversity(train, top),
      serendipity: serendipity(train, top),
    });
    // u1 top2 = [3, 5] (hit at 1), u2 = [2, 5] (hit at 2), u3 = [1, 2] (hit at 1)
    expect(r.precisionAtK).toBeCloseTo(3 / 2 / 3, 12);
    expect(r.catalogCoverage).toBeCloseTo(4 / 5, 12);
  });
  it('levels of beyond-accuracy metrics; refuses train items unless none are asked for', () => {
    const cov = evaluateRanking(train, test, recs, 2, { beyondAccuracy: 'coverage' });
    expect(cov.novelty).toBeGreaterThan(0);
    expect(cov.diversity).toBeUndefined();
    const progress: [number, number][] = [];
    evaluateRanking(train, test, recs, 2, { onProgress: (d, t) => progress.push([d, t]) });
    expect(progress.at(-1)![0]).toBe(progress.at(-1)![1]);
    const seen = { ...recs, items: u32([1, 5, 6, 2, 5, 1, 2, 1]) }; // (1, 1) is a train pair
    expect(evaluateRanking(train, test, seen, 2, { beyondAccuracy: 'none' }).catalogCoverage).toBeUndefined();
    expect(() => evaluateRanking(train, test, seen, 2)).toThrow(/already in train/);
  });
});

describe('evaluateRatings', () => {
  it('reports the joined row count and the four metrics', () => {
    const r = evaluateRatings(test, { users: u32([1, 2, 9]), items: u32([3, 5, 9]), scores: f32([4, 4, 1]) });
    expect(r).toEqual({ rows: 2, rmse: Math.sqrt(0.5), mae: 0.5, rsquared: 1 - 1 / 0.5, expVar: 1 - 0.25 / 0.25 });
  });
});
