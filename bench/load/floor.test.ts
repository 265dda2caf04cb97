// Tests the floor bench's figures: the server histogram sums only the API routes, bucket by bucket;
// the rows show the server's percentiles only where there is a server histogram; and the knee is
// called the generator's when the API's is as high as the bare endpoint's.

import { describe, expect, it } from 'vitest';
import { apiHistogram, floorRows, whoseKnee } from './floor.js';
import { Histogram } from './histogram.js';
import type { StepResult } from './run.js';

const bounds = [0.00005, 0.0001, 0.00025, Infinity];

describe('load floor figures', () => {
  it('sums the API routes of the server histogram and leaves /metrics out', () => {
    const sum = apiHistogram(
      new Map([
        ['/v1/users/{userId}/recommendations', { bounds, cumulative: [90, 99, 100, 100] }],
        ['/v1/items/{itemId}/similar', { bounds, cumulative: [5, 8, 10, 10] }],
        ['/metrics', { bounds, cumulative: [0, 0, 0, 1] }],
      ]),
    );
    expect(sum).toEqual({ bounds, cumulative: [95, 107, 110, 110] });
    expect(apiHistogram(new Map([['/metrics', { bounds, cumulative: [0, 0, 0, 1] }]]))).toBeNull();
  });

  it('prints bench and server percentiles side by side', () => {
    const latency = new Histogram();
    for (let i = 1; i <= 1000; i++) latency.record(i); // 1 µs … 1 ms: p50 ≈ 0.5 ms, p99 ≈ 0.99 ms
    const quiet = new Histogram();
    for (let i = 0; i < 100; i++) quiet.record(100);
    const stalled = new Histogram();
    for (let i = 0; i < 100; i++) stalled.record(i < 98 ? 100 : 50_000);
    // three quiet seconds (p99 0.1 ms) and two with a stall (p99 50 ms): the median second's p99 is 0.1 ms
    const perSecond = [quiet, stalled, quiet, stalled, quiet].map((h) => ({ latency: h }));
    const step = { achievedRps: 500, latency, lag: new Histogram(), coldConnections: 0, perSecond } as unknown as StepResult;
    const [bare, api] = floorRows([
      { endpoint: 'bare uWS', rate: 500, step, server: null },
      { endpoint: 'recs serve', rate: 500, step, server: { bounds, cumulative: [50, 100, 100, 100] } },
    ]);
    expect(bare!.slice(3, 5).map(Number)).toEqual([expect.closeTo(0.5, 2), expect.closeTo(0.99, 1)]);
    expect(bare![8]).toBe('0.100');
    expect(bare!.slice(9, 12)).toEqual(['—', '—', '—']);
    expect(api![9]).toBe('0.050'); // rank 50 of 100 at the top of the first bucket
    expect(Number(api![10])).toBeCloseTo(0.099, 3);
  });

  it("calls a knee the generator's when the bare endpoint's is no higher", () => {
    expect(whoseKnee(20_000, 19_000)).toMatch(/it is not the server's but the generator's/);
    expect(whoseKnee(20_000, 8_000)).toMatch(/it is the server's$/);
    expect(whoseKnee(null, 8_000)).toBe('');
  });
});
