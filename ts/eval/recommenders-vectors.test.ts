// Published expected values from Recommenders' own unit tests, reused as test vectors:
// recommenders-team/recommenders @ b02c95e, tests/unit/recommenders/evaluation/conftest.py
// (fixtures rating_true, rating_pred, rating_nohit, diversity_data) and test_python_evaluation.py
// (expected numbers, compared there with pytest.approx(x, 1e-4), i.e. relative 1e-4).

import { describe, expect, it } from 'vitest';
import { catalogCoverage, distributionalCoverage, historicalItemNovelty, novelty } from './coverage.js';
import { diversity, serendipity, userDiversity, userItemSerendipity, userSerendipity } from './diversity.js';
import { map, mapAtK, ndcgAtK, precisionAtK, rPrecisionAtK, recallAtK } from './ranking.js';
import { expVar, joinRatings, mae, rmse, rsquared } from './rating.js';
import { topKPerUser } from './topk.js';
import type { PredictionData, TruthData } from './types.js';

const u32 = (a: number[]): Uint32Array => Uint32Array.from(a);
const f32 = (a: number[]): Float32Array => Float32Array.from(a);
const close = (actual: number, expected: number, rel = 1e-4): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-12);
};

// conftest.py fixtures
const USERS = [1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 1];
const ratingTrue: TruthData = {
  users: u32(USERS),
  items: u32([3, 1, 4, 5, 6, 7, 2, 5, 6, 8, 9, 10, 11, 12, 13, 14, 1, 2]),
  ratings: f32([3, 5, 5, 3, 3, 1, 5, 5, 5, 4, 4, 3, 3, 3, 2, 1, 5, 4]),
};
const PRED_SCORES = [12, 14, 13, 12, 11, 10, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 14, 13];
const ratingPred: PredictionData = {
  users: u32(USERS),
  items: u32([12, 10, 3, 5, 11, 13, 4, 10, 7, 13, 1, 3, 5, 2, 11, 14, 3, 10]),
  scores: f32(PRED_SCORES),
};
const ratingNohit: PredictionData = { users: u32(USERS), items: u32(Array(18).fill(100)), scores: f32(PRED_SCORES) };
/** rating_pred=rating_true, col_prediction=rating */
const trueAsPred: PredictionData = { users: ratingTrue.users, items: ratingTrue.items, scores: ratingTrue.ratings };

const train = { users: u32([1, 1, 1, 2, 2, 3, 3, 3]), items: u32([1, 2, 4, 3, 4, 3, 4, 5]) };
const reco = { users: u32([1, 1, 2, 2, 3, 3]), items: u32([3, 5, 2, 5, 1, 2]) };
const recoRel = { ...reco, relevance: f32([1, 0, 1, 1, 1, 0]) };

describe('rating metrics (test_python_rmse/mae/rsquared/exp_var, test_merge_rating)', () => {
  it('merges on (user, item)', () => {
    const j = joinRatings(ratingTrue, ratingPred);
    const pairs = Array.from(j.yTrue, (y, i) => [y, j.yPred[i]!]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    const expected = [3, 3, 5, 5, 3, 3, 2, 1].map((y, i) => [y, [14, 12, 7, 8, 13, 6, 11, 5][i]!]);
    expect(pairs).toEqual(expected.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
  });
  it('matches the published values', () => {
    expect(rmse(ratingTrue, trueAsPred)).toBe(0);
    close(rmse(ratingTrue, ratingPred), 7.254309);
    expect(mae(ratingTrue, trueAsPred)).toBe(0);
    close(mae(ratingTrue, ratingPred), 6.375);
    close(rsquared(ratingTrue, trueAsPred), 1);
    close(rsquared(ratingTrue, ratingPred), -31.699029);
    close(expVar(ratingTrue, trueAsPred), 1);
    close(expVar(ratingTrue, ratingPred), -6.4466);
  });
});

describe('get_top_k_items (test_get_top_k_items, _largek)', () => {
  const asPred: PredictionData = trueAsPred;
  it('k=3', () => {
    const t = topKPerUser(asPred, 3);
    expect(Array.from(t.users)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(Array.from(t.scores)).toEqual([5, 4, 3, 5, 5, 3, 5, 5, 5]);
    expect(Array.from(t.items.subarray(0, 3))).toEqual([1, 2, 3]);
    // the published test accepts any order among ties; ours is lower item first
    expect(Array.from(t.items.subarray(3))).toEqual([1, 4, 5, 2, 5, 6]);
  });
  it('k=6, larger than some users’ lists', () => {
    const t = topKPerUser(asPred, 6);
    expect(Array.from(t.users)).toEqual([1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3]);
    expect(Array.from(t.scores)).toEqual([5, 4, 3, 5, 5, 3, 3, 1, 5, 5, 5, 4, 4, 3]);
    expect(Array.from(t.items)).toEqual([1, 2, 3, 1, 4, 5, 6, 7, 2, 5, 6, 8, 9, 10]);
  });
});

describe('ranking metrics (test_python_ndcg_at_k/map/map_at_k/precision/recall/r_precision)', () => {
  it('ndcg', () => {
    close(ndcgAtK(ratingTrue, trueAsPred, 10), 1);
    expect(ndcgAtK(ratingTrue, ratingNohit, 10)).toBe(0);
    close(ndcgAtK(ratingTrue, ratingPred, 10), 0.38172);
    // Wikipedia DCG example: raw relevance, log2 discount
    const wikiTrue = { users: u32(Array(8).fill(0)), items: u32([0, 1, 2, 3, 4, 5, 6, 7]), ratings: f32([3, 2, 3, 0, 1, 2, 3, 2]) };
    const wikiPred = { users: u32(Array(6).fill(0)), items: u32([0, 1, 2, 3, 4, 5]), scores: f32([6, 5, 4, 3, 2, 1]) };
    close(ndcgAtK(wikiTrue, wikiPred, 6, { scoreType: 'raw', discount: 'log2' }), 0.785);
  });
  it('map and map@k', () => {
    expect(map(ratingTrue, trueAsPred, 10)).toBe(1);
    expect(map(ratingTrue, ratingNohit, 10)).toBe(0);
    close(map(ratingTrue, ratingPred, 10), 0.23613);
    expect(mapAtK(ratingTrue, trueAsPred, 10)).toBe(1);
    expect(mapAtK(ratingTrue, ratingNohit, 10)).toBe(0);
    close(mapAtK(ratingTrue, ratingPred, 10), 0.23613);
  });
  it('precision', () => {
    close(precisionAtK(ratingTrue, trueAsPred, 10), 0.6, 1e-12);
    expect(precisionAtK(ratingTrue, ratingNohit, 10)).toBe(0);
    close(precisionAtK(ratingTrue, ratingPred, 10), 0.26666);
    const single = { users: u32([1, 1, 1]), items: u32([1, 2, 3]), ratings: f32([5, 4, 3]) };
    expect(precisionAtK(single, { ...single, scores: single.ratings }, 3)).toBe(1);
    const same = { users: u32([1, 1, 1, 2, 2, 2]), items: u32([1, 2, 3, 1, 2, 3]), ratings: f32([5, 4, 3, 5, 5, 3]) };
    expect(precisionAtK(same, { ...same, scores: same.ratings }, 3)).toBe(1);
    close(precisionAtK(same, { ...same, scores: same.ratings }, 5), 0.6, 1e-12);
  });
  it('recall', () => {
    close(recallAtK(ratingTrue, trueAsPred, 10), 1);
    expect(recallAtK(ratingTrue, ratingNohit, 10)).toBe(0);
    close(recallAtK(ratingTrue, ratingPred, 10), 0.37777);
  });
  it('r-precision', () => {
    close(rPrecisionAtK(ratingTrue, trueAsPred, 10), 1);
    expect(rPrecisionAtK(ratingTrue, ratingNohit, 5)).toBe(0);
    close(rPrecisionAtK(ratingTrue, ratingPred, 3), 0.21111);
    close(rPrecisionAtK(ratingTrue, ratingPred, 5), 0.24444);
    close(rPrecisionAtK(ratingTrue, ratingPred, 10), 0.37777);
  });
});

describe('beyond accuracy (diversity_data fixture, item_cooccurrence_count)', () => {
  it('coverage', () => {
    close(catalogCoverage(train, reco), 0.8);
    close(distributionalCoverage(train, reco), 1.9183);
  });
  it('novelty', () => {
    const nov = historicalItemNovelty(train, reco);
    expect(Array.from(nov.items)).toEqual([1, 2, 3, 4, 5]);
    [3.0, 3.0, 2.0, 1.41504, 3.0].forEach((v, i) => close(nov.novelty[i]!, v));
    close(novelty(train, reco), 2.83333);
    // only item 3 in train (and recommendations): novelty 0
    const train3 = { users: u32([2, 3]), items: u32([3, 3]) };
    expect(historicalItemNovelty(train3, reco).novelty[0]).toBe(0);
    expect(novelty(train3, { users: u32([1]), items: u32([3]) })).toBe(0);
  });
  it('diversity', () => {
    const ud = userDiversity(train, reco);
    expect(Array.from(ud.users)).toEqual([1, 2, 3]);
    [0.29289, 1.0, 0.0].forEach((v, i) => expect(ud.values[i]).toBeCloseTo(v, 4));
    close(diversity(train, reco), 0.43096);
  });
  it('serendipity (col_relevance="Relevance")', () => {
    const uis = userItemSerendipity(train, recoRel);
    expect(Array.from(uis.users)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(Array.from(uis.items)).toEqual([3, 5, 2, 5, 1, 2]);
    [0.72783, 0.0, 0.71132, 0.35777, 0.80755, 0.0].forEach((v, i) => expect(uis.values[i]).toBeCloseTo(v, 4));
    const us = userSerendipity(train, recoRel);
    [0.363915, 0.53455, 0.403775].forEach((v, i) => close(us.values[i]!, v));
    close(serendipity(train, recoRel), 0.43408);
  });
});
