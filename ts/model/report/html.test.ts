import { describe, expect, it } from 'vitest';
import { renderReport } from './html.js';

describe('HTML report', () => {
  it('is self-contained and shows metrics beside the baseline, charts and examples', () => {
    const html = renderReport({
      title: 'Training report',
      version: 'v1',
      createdAt: '2026-11-30T00:00:00Z',
      params: { rank: 10, implicitPrefs: false },
      data: { users: 3, items: 4 },
      iterations: [
        { iteration: 1, loss: 2, seconds: 0.1 },
        { iteration: 2, loss: 1, seconds: 0.1 },
      ],
      metrics: { 'ndcg@10': 0.42, rmse: 0.93 },
      baseline: { 'ndcg@10': 0.2 },
      timings: { fit: 1.5 },
      itemCounts: [5, 1, 3, 0],
      examples: [{ user: '7', history: ['Toy Story (1995)'], recommendations: [{ item: 'Heat <1995>', score: 0.9 }] }],
    });
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|src="http|href="http/);
    expect(html).toContain('<td>ndcg@10</td><td>0.4200</td><td>0.2000</td>');
    expect(html).toContain('<td>rmse</td><td>0.9300</td><td>—</td>');
    expect(html).toContain('Heat &lt;1995&gt;');
    expect(html).toContain('Training loss per iteration');
  });
});
