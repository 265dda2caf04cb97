import { describe, expect, it } from 'vitest';
import { Rng } from '../../data/index.js';
import { EASE_PARAMS } from '../algorithms/ease.js';
import { parseFeedback } from '../pipeline/feedback.js';
import { gridTrials, IMPLICIT_SPACE, randomTrials, schemaTrials, type SearchSpace } from './space.js';

// The ALS space is derived from ALS's schema (its `tune` declarations). BEFORE is the space as it was
// written by hand before that: the derived one must be it, so a seed draws the same trials as before.
const BEFORE: SearchSpace = {
  rank: [16, 32, 64, 128, 256, 512, 1024],
  maxIter: [10, 15, 20, 30],
  regParam: [0.001, 10],
  regParamGrid: [0.01, 0.1, 1, 10],
  alpha: [0.1, 100],
  alphaGrid: [0.5, 2, 10, 40],
  unobservedWeight: [0.001, 1],
  unobservedWeightGrid: [0.01, 0.1, 1],
  confidence: ['one-plus-alpha', 'linear', 'log'],
  regScaling: ['spark', 'plain', 'frequency'],
  regExponent: [0.5, 1],
  feedback: ['value', 'binary'],
};

describe("tune's ALS space from ALS's schema", () => {
  it('is the hand-written space it replaces: the same trials for the same seed, and the same grid', () => {
    expect(IMPLICIT_SPACE).toEqual(BEFORE);
    for (const seed of [1, 7, 42]) expect(randomTrials(IMPLICIT_SPACE, 40, seed)).toEqual(randomTrials(BEFORE, 40, seed));
    expect(gridTrials(IMPLICIT_SPACE)).toEqual(gridTrials(BEFORE));
  });

  it("draws a schema's ranges log-uniformly, as before (EASE's λ over 1..5000)", () => {
    const fb = parseFeedback('value');
    const rng = new Rng(9);
    const expected = Array.from({ length: 6 }, () => Number(Math.exp(rng.nextFloat() * Math.log(5000)).toPrecision(4)));
    expect(schemaTrials(EASE_PARAMS, fb, { grid: false, n: 6, seed: 9 }).map((t) => (t.params as Record<string, number>)['regParam'])).toEqual(expected);
    expect(schemaTrials(EASE_PARAMS, fb, { grid: true }).map((t) => (t.params as Record<string, number>)['regParam'])).toEqual([10, 50, 100, 250, 500, 1000, 2500]);
  });
});
