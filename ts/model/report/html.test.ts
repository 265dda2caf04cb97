import { describe, expect, it } from 'vitest';
import { renderReport } from './html.js';
import { logTicks, niceTicks } from './svg.js';

describe('HTML report', () => {
  const input = {
    title: 'Training report',
    version: 'v1',
    createdAt: '2026-11-30T00:00:00Z',
    params: { rank: 10, implicitPrefs: false },
    data: { users: 3, items: 4 },
    iterations: [
      { iteration: 1, loss: 2, seconds: 0.1 },
      { iteration: 2, loss: 1, seconds: 0.1 },
      { iteration: 3, loss: 0.9, seconds: 0.1 },
    ],
    evaluationFit: {
      iterations: [
        { iteration: 1, loss: 3, seconds: 0.1 },
        { iteration: 2, loss: 1.5, seconds: 0.1 },
        { iteration: 3, loss: 1.4, seconds: 0.1 },
      ],
      heldOut: {
        k: 10,
        users: 3,
        rankedUsers: 3,
        points: [
          { iteration: 1, ndcg: 0.1, rmse: 1.2 },
          { iteration: 2, ndcg: 0.3, rmse: 1 },
          { iteration: 3, ndcg: 0.42, rmse: 0.93 },
        ],
      },
    },
    protocol: [['split', 'stratified by item, 0.75 of each item’s interactions to training, seed 42']] as Array<[string, string]>,
    metrics: { 'ndcg@10': 0.42, map: 0.2, rmse: 0.93 },
    baseline: { 'ndcg@10': 0.2 },
    timings: { fit: 1.5 },
    itemCounts: [5, 1, 3, 0],
    popularity: [
      { decile: 1, dataShare: 0.6, recommendationShare: 0.3 },
      { decile: 2, dataShare: 0.4, recommendationShare: 0.7 },
    ],
    segments: {
      users: { model: [{ label: '1–5', users: 2, ndcg: 0.3, recall: 0.5 }], baseline: [{ label: '1–5', users: 2, ndcg: 0.1, recall: 0.2 }] },
      items: { model: [{ decile: 1, items: 1, testShare: 0.5, recommendationShare: 0.4, recall: 0.3 }], baseline: [{ decile: 1, items: 1, testShare: 0.5, recommendationShare: 1, recall: 0.6 }] },
    },
    examples: [{ user: '7', history: ['Toy Story (1995)'], recommendations: [{ item: 'Heat <1995>', score: 0.9 }] }],
  };

  it('is self-contained and shows metrics with their meaning and direction, protocol, charts, segments and examples', () => {
    const html = renderReport(input);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|src="http|href="http/);
    expect(html).toMatch(/<td>ndcg@10<\/td><td>0\.4200<\/td><td>0\.2000<\/td><td class="dir"[^>]*>↑<\/td><td class="means">ranking quality/);
    expect(html).toMatch(/<td>rmse<\/td><td>0\.9300<\/td><td>—<\/td><td class="dir"[^>]*>↓<\/td>/);
    expect(html).toContain("Recommenders' map; published benchmarks' MAP");
    expect(html).toContain('Evaluation protocol');
    expect(html).toContain('stratified by item');
    expect(html).toContain('Held-out NDCG@10 per iteration');
    expect(html).toContain('Held-out RMSE per iteration');
    expect(html).toContain('relative change per iteration');
    expect(html).toContain('evaluation fit (training split)');
    expect(html).toContain('What is recommended vs what is popular');
    expect(html).toContain('NDCG@k by user history length');
    expect(html).toContain('<td>D1</td><td>1</td><td>50.0%</td><td>40.0%</td><td>100.0%</td>');
    expect(html).toContain('Heat &lt;1995&gt;');
  });

  it('ticks are nice numbers: 1, 2 or 5 × 10^n, powers of ten on log axes', () => {
    expect(niceTicks(1, 30).ticks).toEqual([0, 10, 20, 30]);
    expect(niceTicks(0.0123, 0.0871).ticks).toEqual([0, 0.02, 0.04, 0.06, 0.08, 0.1]);
    expect(logTicks(Math.log10(3), Math.log10(5e4)).ticks).toEqual([1, 10, 100, 1000, 10000, 100000]);
    for (const [lo, hi] of [
      [1, 30],
      [0.37, 0.49],
      [0.9195, 0.9689],
      [12, 8_765_432],
    ]) {
      const t = niceTicks(lo!, hi!).ticks;
      const step = t[1]! - t[0]!;
      const mantissa = Number((step / 10 ** Math.floor(Math.log10(step))).toPrecision(6));
      expect([1, 2, 5]).toContain(mantissa);
      expect(t[0]).toBeLessThanOrEqual(lo!);
      expect(t.at(-1)).toBeGreaterThanOrEqual(hi!);
    }
    const html = renderReport(input);
    expect(html).not.toMatch(/>8\.25<|>15\.5<|>22\.8</);
  });
});
