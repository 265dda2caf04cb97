// Percentiles of the difference of two histogram snapshots, against values worked out by hand.

import { describe, expect, it } from 'vitest';
import { quantileBetween, type Snapshot } from './scrape.js';

const snap = (counts: Record<string, number>): Snapshot => new Map(Object.entries(counts).map(([le, v]) => [`h_bucket{le="${le}"}`, v]));

describe('quantileBetween', () => {
  it('interpolates within the bucket holding the rank, over what was recorded between the snapshots', () => {
    const a = snap({ '0.01': 5, '0.05': 5, '0.1': 5, '+Inf': 5 });
    const b = snap({ '0.01': 55, '0.05': 95, '0.1': 105, '+Inf': 105 }); // 50 ≤ 10 ms, 40 in (10, 50], 10 in (50, 100]
    expect(quantileBetween(a, b, 'h', 0.5)).toBeCloseTo(0.01, 9);
    expect(quantileBetween(a, b, 'h', 0.7)).toBeCloseTo(0.01 + 0.04 * (20 / 40), 9);
    expect(quantileBetween(a, b, 'h', 0.99)).toBeCloseTo(0.05 + 0.05 * (9 / 10), 9);
    expect(quantileBetween(b, b, 'h', 0.5)).toBeNaN();
  });
});
