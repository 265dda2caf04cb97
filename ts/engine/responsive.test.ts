// Tests that training runs off the JS thread (the addon's thread pool, the WASM engine's worker):
// timers keep firing while a fit on the synthetic MovieLens-1M shape (6,040 × 3,706, 1M ratings)
// is in progress.

import { describe, expect, it } from 'vitest';

import { testEngines } from './wasm-engines.js';

describe.each(testEngines({ scalar: false }))('event loop during fit ($name)', ({ engine }) => {
  it('keeps ticking while a long fit runs', async () => {
    const data = await engine.generateSynthetic({ preset: 'ml-1m', explicit: true, seed: 11 });
    let ticks = 0;
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks += 1;
    }, 10);
    const started = performance.now();
    try {
      await engine.fit(data, { rank: 10, maxIter: 5, regParam: 0.05 });
    } finally {
      clearInterval(timer);
    }
    const took = performance.now() - started;
    // The fit must be long enough for the check to mean something, and timers must not stall.
    expect(took).toBeGreaterThan(100);
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(took / 10 / 3));
    expect(maxGap).toBeLessThan(250);
  });
});
