import { describe, expect, it } from 'vitest';
import { BUCKETS, bucketOf, bucketRange, Histogram } from './histogram.js';

/** Exact quantile of a sorted array by the same rank rule (the smallest value with ≥ q of the data at or below it). */
const exact = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;

describe('latency histogram', () => {
  it('maps every value to a bucket whose range holds it, within 0.8 %', () => {
    for (let v = 0; v < 5_000_000; v = Math.floor(v * 1.003) + 1) {
      const i = bucketOf(v);
      expect(i).toBeLessThan(BUCKETS);
      const [lo, hi] = bucketRange(i);
      expect(v).toBeGreaterThanOrEqual(lo);
      expect(v).toBeLessThanOrEqual(hi);
      expect((hi - lo) / Math.max(1, lo)).toBeLessThan(0.008);
    }
  });

  it('agrees with sorting for every percentile up to p99.99 on a long-tailed sample', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const values: number[] = [];
    const h = new Histogram();
    for (let i = 0; i < 200_000; i++) {
      const v = 80 + 300 * -Math.log(1 - rand()) + (rand() < 0.002 ? 50_000 * rand() : 0); // µs
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99, 0.999, 0.9999]) {
      const want = exact(values, q);
      expect(Math.abs(h.quantile(q) - want) / want).toBeLessThan(0.01);
    }
    expect(h.maxUs).toBe(values.at(-1));
    expect(h.meanUs()).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 6);
  });

  it('adds histograms and survives serialisation', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let i = 1; i <= 1000; i++) (i % 2 ? a : b).record(i * 10);
    const merged = Histogram.from(JSON.parse(JSON.stringify(a.toJSON())));
    merged.add(b);
    expect(merged.count).toBe(1000);
    expect(merged.quantile(0.5)).toBeCloseTo(5000, -2);
    expect(merged.maxUs).toBe(10_000);
    expect(merged.shareAtOrBelow(2_500)).toBeCloseTo(0.25, 2);
  });
});
