import { describe, expect, it } from 'vitest';
import { LoopDelay } from './loop-delay.js';
import { Metrics } from './metrics.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('event-loop delay', () => {
  it('shows a stall of the thread as the window maximum, and a quiet window after it', async () => {
    const d = new LoopDelay(60_000, 5);
    try {
      expect(d.window()).toBeNull();
      await sleep(50);
      busy(150); // the request thread held for 150 ms
      await sleep(50);
      d.roll();
      const w = d.window()!;
      expect(w.max).toBeGreaterThanOrEqual(0.13);
      expect(w.max).toBeLessThan(2);
      expect(w.p50).toBeLessThan(w.max);
      expect(w.count).toBeGreaterThan(2);
      await sleep(100);
      d.roll();
      expect(d.window()!.max).toBeLessThan(0.1);
    } finally {
      d.stop();
    }
  });

  it('is exposed on /metrics as quantile gauges and a maximum', async () => {
    const d = new LoopDelay(60_000, 5);
    const m = new Metrics();
    m.loopDelay = () => d.window();
    try {
      expect(m.render()).not.toContain('recs_event_loop_delay');
      await sleep(60);
      busy(80);
      await sleep(30);
      d.roll();
      const text = m.render();
      expect(text).toMatch(/^recs_event_loop_delay_seconds\{quantile="0\.99"\} [0-9.e-]+$/m);
      const max = Number(/^recs_event_loop_delay_max_seconds ([0-9.e-]+)$/m.exec(text)![1]);
      expect(max).toBeGreaterThanOrEqual(0.06);
    } finally {
      d.stop();
    }
  });
});
