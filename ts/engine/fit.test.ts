// Tests training through each engine (native addon, WASM): factor shapes, per-iteration progress
// with decreasing loss, early stop from the callback, a throwing callback, determinism across
// thread counts.

import { beforeAll, describe, expect, it } from 'vitest';

import type { IterationReport, SyntheticData } from './types.js';
import { testEngines } from './wasm-engines.js';

describe.each(testEngines())('fit ($name)', ({ engine }) => {
  let data: SyntheticData;

  beforeAll(async () => {
    data = await engine.generateSynthetic({ nUsers: 300, nItems: 200, nInteractions: 8000, explicit: true, seed: 3 });
  });

  it('resolves with factors of the right shape and reports every iteration', async () => {
    const reports: IterationReport[] = [];
    const model = await engine.fit(
      data,
      { rank: 6, maxIter: 8, regParam: 0.1, seed: 1 },
      {
        onIteration: (r) => void reports.push(r),
      },
    );
    expect(model).toMatchObject({ rank: 6, nUsers: 300, nItems: 200, kernel: engine.kernelName() });
    expect(model.userFactors).toBeInstanceOf(Float32Array);
    expect(model.userFactors).toHaveLength(300 * 6);
    expect(model.itemFactors).toHaveLength(200 * 6);
    expect(model.userFactors.every(Number.isFinite)).toBe(true);
    expect(reports.map((r) => r.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(model.iterations).toEqual(reports);
    for (const [i, r] of reports.entries()) {
      expect(r.seconds).toBeGreaterThan(0);
      expect(r.loss).not.toBeNull();
      const prev = reports[i - 1];
      if (prev) {
        expect(r.elapsed).toBeGreaterThan(prev.elapsed);
        expect(r.loss as number).toBeLessThanOrEqual((prev.loss as number) * (1 + 1e-6));
      }
    }
    expect(reports[7]?.loss as number).toBeLessThan((reports[0]?.loss as number) / 2);
  });

  it('stops early when the callback returns false', async () => {
    let calls = 0;
    const model = await engine.fit(data, { rank: 4, maxIter: 20 }, { onIteration: (r) => (++calls, r.iteration < 3) });
    expect(calls).toBe(3);
    expect(model.iterations).toHaveLength(3);
    expect(model.userFactors).toHaveLength(300 * 4);
  });

  it('rejects with the very error a throwing callback threw, and stops', async () => {
    const boom = new Error('boom');
    let calls = 0;
    const err = await engine
      .fit(
        data,
        { rank: 4, maxIter: 20 },
        {
          onIteration: () => {
            calls += 1;
            throw boom;
          },
        },
      )
      .catch((e: unknown) => e);
    expect(err).toBe(boom);
    expect(calls).toBe(1);
  });

  it('reports a null loss when computeLoss is false', async () => {
    const model = await engine.fit(data, { rank: 4, maxIter: 2, computeLoss: false });
    expect(model.iterations.map((r) => r.loss)).toEqual([null, null]);
  });

  it('gives the same factors whatever the thread count', async () => {
    const params = { rank: 5, maxIter: 4, seed: 9 };
    const one = await engine.fit(data, { ...params, threads: 1 });
    const two = await engine.fit(data, { ...params, threads: 2 });
    expect(two.userFactors).toEqual(one.userFactors);
    expect(two.itemFactors).toEqual(one.itemFactors);
  });

  it('trains implicit feedback with the CG solver', async () => {
    const counts = await engine.generateSynthetic({ nUsers: 200, nItems: 150, nInteractions: 5000, seed: 4 });
    const model = await engine.fit(counts, { rank: 8, maxIter: 5, implicitPrefs: true, alpha: 10, solver: 'cg', cgSteps: 3 });
    expect(model.itemFactors).toHaveLength(150 * 8);
    expect(model.itemFactors.every(Number.isFinite)).toBe(true);
  });
});
