import { describe, expect, it } from 'vitest';
import { expVar, joinRatings, mae, rmse, rsquared } from './rating.js';
import type { PredictionData, TruthData } from './types.js';

const truthOf = (rows: [number, number, number][]): TruthData => ({
  users: Uint32Array.from(rows, (r) => r[0]),
  items: Uint32Array.from(rows, (r) => r[1]),
  ratings: Float32Array.from(rows, (r) => r[2]),
});
const predsOf = (rows: [number, number, number][]): PredictionData => ({
  users: Uint32Array.from(rows, (r) => r[0]),
  items: Uint32Array.from(rows, (r) => r[1]),
  scores: Float32Array.from(rows, (r) => r[2]),
});

describe('rating metrics, hand-computed', () => {
  // join: (4 vs 3.5), (5 vs 5); (u1, i2) has no truth and (u0, i1) no prediction
  const truth = truthOf([
    [0, 0, 4],
    [0, 1, 2],
    [1, 0, 5],
  ]);
  const preds = predsOf([
    [0, 0, 3.5],
    [1, 0, 5],
    [1, 2, 1],
  ]);

  it('uses the inner join only', () => {
    const j = joinRatings(truth, preds);
    expect(Array.from(j.yTrue)).toEqual([4, 5]);
    expect(Array.from(j.yPred)).toEqual([3.5, 5]);
  });
  it('rmse, mae', () => {
    expect(rmse(truth, preds)).toBeCloseTo(Math.sqrt(0.25 / 2), 12);
    expect(mae(truth, preds)).toBeCloseTo(0.25, 12);
  });
  it('r2 = 1 - SSres/SStot; explained variance = 1 - Var(residual)/Var(y)', () => {
    expect(rsquared(truth, preds)).toBeCloseTo(1 - 0.25 / 0.5, 12);
    // residuals 0.5, 0 → variance 0.0625; Var(y) = 0.25
    expect(expVar(truth, preds)).toBeCloseTo(1 - 0.0625 / 0.25, 12);
  });
  it('constant truth follows sklearn force_finite (1 if perfect, else 0)', () => {
    const t = truthOf([
      [0, 0, 3],
      [0, 1, 3],
    ]);
    expect(
      rsquared(
        t,
        predsOf([
          [0, 0, 3],
          [0, 1, 3],
        ]),
      ),
    ).toBe(1);
    expect(
      rsquared(
        t,
        predsOf([
          [0, 0, 3],
          [0, 1, 4],
        ]),
      ),
    ).toBe(0);
    expect(
      expVar(
        t,
        predsOf([
          [0, 0, 3],
          [0, 1, 4],
        ]),
      ),
    ).toBe(0);
    // a constant offset is "explained": residual variance 0
    expect(
      expVar(
        t,
        predsOf([
          [0, 0, 4],
          [0, 1, 4],
        ]),
      ),
    ).toBe(1);
  });
  it('r2 of one row is NaN (sklearn: not well-defined)', () => {
    expect(rsquared(truthOf([[0, 0, 3]]), predsOf([[0, 0, 2]]))).toBeNaN();
  });
  it('an empty join throws', () => {
    expect(() => rmse(truth, predsOf([[5, 5, 1]]))).toThrow(/no \(user, item\) pair in common/);
  });
  it('duplicate truth pairs multiply out like pandas.merge', () => {
    const j = joinRatings(
      truthOf([
        [0, 0, 4],
        [0, 0, 2],
      ]),
      predsOf([[0, 0, 3]]),
    );
    expect(Array.from(j.yTrue).sort()).toEqual([2, 4]);
    expect(
      mae(
        truthOf([
          [0, 0, 4],
          [0, 0, 2],
        ]),
        predsOf([[0, 0, 3]]),
      ),
    ).toBe(1);
  });
  it('mismatched column lengths throw', () => {
    const bad = { users: Uint32Array.of(0), items: Uint32Array.of(0, 1), scores: Float32Array.of(1) };
    expect(() => rmse(truth, bad)).toThrow(/column 'items'/);
  });
});
