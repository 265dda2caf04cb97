// Tests the multi-threaded WASM fit (wasm-pool.ts): rows split into balanced contiguous ranges,
// and a fit on two workers gives the factors and losses of a one-worker fit bit for bit, stops
// when the callback says so, rejects with the callback's error, and reports bad data as the
// one-worker fit does. Skips, saying why, when the WASM modules are not built.

import { describe, expect, it } from 'vitest';

import { createWasmEngine } from './wasm.js';
import { splitRows } from './wasm-pool.js';
import { fitThreads, readParams } from './wasm-params.js';
import { wasmTestsEnabled } from './wasm-engines.js';
import type { AlsParams } from './types.js';

describe('splitRows', () => {
  it('covers every row once, in contiguous ranges of about equal work', () => {
    const counts = Uint32Array.from({ length: 1000 }, (_, i) => (i < 10 ? 500 : 3));
    const ranges = splitRows(counts, 2, 4);
    expect(ranges[0]?.[0]).toBe(0);
    expect(ranges[0]?.[1]).toBe(ranges[1]?.[0]);
    expect(ranges[1]?.[1]).toBe(1000);
    const work = ranges.map(([lo, hi]) => counts.slice(lo, hi).reduce((a, c) => a + c + 4, 0));
    expect(Math.abs((work[0] as number) - (work[1] as number))).toBeLessThanOrEqual(504);
  });

  it('leaves empty ranges when there are fewer rows than parts', () => {
    expect(splitRows(Uint32Array.of(5), 3, 1)).toEqual([
      [0, 1],
      [1, 1],
      [1, 1],
    ]);
  });
});

describe('fitThreads', () => {
  it('reads threads by name, whatever the parameters before it (it once read regScaling)', () => {
    for (const regScaling of ['spark', 'plain', 'frequency'] as const) {
      const at = (threads: number, cores: number) => fitThreads(readParams({ threads, regScaling, confidence: 'log' }, 'params'), cores);
      expect([at(1, 2), at(2, 2), at(0, 2), at(4, 2), at(0, 1)]).toEqual([1, 2, 2, 2, 1]);
    }
  });
});

describe.skipIf(!wasmTestsEnabled())('a WASM fit on two workers', () => {
  const engine = createWasmEngine({ variant: 'simd' });
  const cases: [string, Partial<AlsParams>, boolean][] = [
    ['implicit, CG', { rank: 16, maxIter: 4, implicitPrefs: true, alpha: 5, solver: 'cg', seed: 3 }, false],
    ['explicit, Cholesky', { rank: 8, maxIter: 3, regParam: 0.1, seed: 4 }, true],
    ['explicit, nonnegative', { rank: 6, maxIter: 3, regParam: 0.1, nonnegative: true, seed: 5 }, true],
  ];

  it.each(cases)('fits what one worker fits, bit for bit (%s)', async (_label, params, explicit) => {
    const data = await engine.generateSynthetic({ nUsers: 700, nItems: 400, nInteractions: 15_000, explicit, seed: 8 });
    const [one, two] = await Promise.all([engine.fit(data, { ...params, threads: 1 }), engine.fit(data, { ...params, threads: 2 })]);
    expect(two.userFactors).toEqual(one.userFactors);
    expect(two.itemFactors).toEqual(one.itemFactors);
    expect(two.iterations.map((r) => r.loss)).toEqual(one.iterations.map((r) => r.loss));
    expect(two.iterations.map((r) => r.iteration)).toEqual(one.iterations.map((r) => r.iteration));
  });

  it('stops when the callback returns false, and rejects with what it throws', async () => {
    const data = await engine.generateSynthetic({ nUsers: 100, nItems: 80, nInteractions: 2000, seed: 1 });
    const seen: number[] = [];
    const m = await engine.fit(data, { rank: 4, maxIter: 10, threads: 2 }, { onIteration: (r) => (seen.push(r.iteration), r.iteration < 3) });
    expect([seen, m.iterations.length]).toEqual([[1, 2, 3], 3]);
    const boom = new Error('stop here');
    await expect(
      engine.fit(
        data,
        { rank: 4, maxIter: 10, threads: 2 },
        {
          onIteration: () => {
            throw boom;
          },
        },
      ),
    ).rejects.toBe(boom);
  });

  it('reports bad data as the one-worker fit does', async () => {
    const empty = { nUsers: 3, nItems: 3, users: new Uint32Array(0), items: new Uint32Array(0), values: new Float32Array(0) };
    const [a, b] = await Promise.all([engine.fit(empty, { threads: 1 }).catch((e: unknown) => e), engine.fit(empty, { threads: 2 }).catch((e: unknown) => e)]);
    expect(b).toMatchObject({ code: 'ERR_ALS_INVALID_DATA', message: 'fit: invalid data: there are no interactions to train on' });
    expect(b).toMatchObject({ code: (a as { code: string }).code, message: (a as Error).message });
  });
});
