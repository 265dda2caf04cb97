import { describe, expect, it } from 'vitest';
import { Rng } from '../data/random.js';
import { minSampleSize, normalCdf, normalQuantile, ratioEstimate, ratioTest, twoProportionTest, wilson } from './ab-test.js';

describe('A/B statistics', () => {
  it('normal quantile and CDF match published values and invert each other', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    for (const z of [-3, -1.5, 0, 0.5, 2.5]) expect(normalQuantile(normalCdf(z))).toBeCloseTo(z, 4);
  });

  it('Wilson intervals match published values (Newcombe 1998, table I)', () => {
    const a = wilson(0, 10);
    expect([a.low, a.high].map((x) => +x.toFixed(4))).toEqual([0, 0.2775]);
    const b = wilson(5, 10);
    expect([b.low, b.high].map((x) => +x.toFixed(4))).toEqual([0.2366, 0.7634]);
    const c = wilson(81, 263);
    expect([c.low, c.high].map((x) => +x.toFixed(4))).toEqual([0.2553, 0.3662]);
  });

  it("the z statistic squared is Pearson's chi-square of the 2×2 table (computed independently)", () => {
    const t = twoProportionTest({ successes: 100, trials: 1000 }, { successes: 130, trials: 1000 });
    const table = [
      [100, 900],
      [130, 870],
    ];
    const n = 2000;
    const rows = table.map((r) => r[0]! + r[1]!);
    const cols = [table[0]![0]! + table[1]![0]!, table[0]![1]! + table[1]![1]!];
    let chi2 = 0;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) chi2 += (table[i]![j]! - (rows[i]! * cols[j]!) / n) ** 2 / ((rows[i]! * cols[j]!) / n);
    expect(t.z * t.z).toBeCloseTo(chi2, 6);
    expect(t.difference).toBeCloseTo(0.03, 12);
    expect(t.significant).toBe(true);
    expect(t.low).toBeGreaterThan(0);
  });

  it('minimum sample size: the Fleiss formula (10 % → 12 %: 3,841 per group) and its power found by simulation', () => {
    expect(minSampleSize(0.1, 0.02)).toBe(3841);
    const n = minSampleSize(0.2, 0.05);
    const rng = new Rng(7);
    const draw = (p: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) if (rng.nextFloat() < p) s++;
      return { successes: s, trials: n };
    };
    let hits = 0;
    let falsePositives = 0;
    const runs = 1000;
    for (let r = 0; r < runs; r++) {
      if (twoProportionTest(draw(0.2), draw(0.25)).significant) hits++;
      if (twoProportionTest(draw(0.2), draw(0.2)).significant) falsePositives++;
    }
    expect(hits / runs).toBeGreaterThan(0.72);
    expect(hits / runs).toBeLessThan(0.88);
    expect(falsePositives / runs).toBeLessThan(0.075);
  });

  it('no trials is no evidence, not an error', () => {
    expect(twoProportionTest({ successes: 0, trials: 0 }, { successes: 1, trials: 2 }).significant).toBe(false);
    expect(wilson(0, 0)).toMatchObject({ low: 0, high: 1 });
    expect(() => minSampleSize(0, 0.1)).toThrow(/baseline/);
  });

  it('clustered rates: one trial per unit is the binomial standard error; users who differ keep the A/A false-positive rate near alpha where per-impression testing does not', () => {
    const ys = [1, 0, 0, 1, 1, 0, 0, 0, 1, 0];
    const one = ratioEstimate(ys, new Array(10).fill(1));
    expect(one.rate).toBe(0.4);
    expect(one.se).toBeCloseTo(Math.sqrt((0.4 * 0.6) / 10) * Math.sqrt(10 / 9), 12);
    const rng = new Rng(11);
    const arm = () => {
      const y: number[] = [];
      const x: number[] = [];
      for (let u = 0; u < 200; u++) {
        const p = rng.nextFloat() < 0.2 ? 0.5 : 0.02; // a fifth of the users click a lot
        let c = 0;
        for (let i = 0; i < 20; i++) if (rng.nextFloat() < p) c++;
        y.push(c);
        x.push(20);
      }
      return { y, x };
    };
    let clustered = 0;
    let naive = 0;
    const runs = 500;
    for (let r = 0; r < runs; r++) {
      const a = arm();
      const b = arm();
      if (ratioTest(ratioEstimate(a.y, a.x), ratioEstimate(b.y, b.x)).significant) clustered++;
      const sum = (v: number[]) => v.reduce((s, t) => s + t, 0);
      if (twoProportionTest({ successes: sum(a.y), trials: 4000 }, { successes: sum(b.y), trials: 4000 }).significant) naive++;
    }
    expect(clustered / runs).toBeLessThan(0.085);
    expect(naive / runs).toBeGreaterThan(0.2);
  });
});
