// Tests the WASM engine against the native one: the same inputs and seed give the same synthetic
// data, factors that agree to float tolerance (explicit, implicit CG and Cholesky, nonnegative),
// top-k and similar-item lists that agree up to near-ties, and the same fold-in; plus the WASM
// build's own concerns: kernels per module, panics (trap → ERR_ALS_PANIC, instance replaced).

import { beforeAll, describe, expect, it } from 'vitest';

import { createNativeEngine } from './native.js';
import { createWasmEngine, type WasmEngine } from './wasm.js';
import { wasmTestsEnabled } from './wasm-engines.js';
import type { AlsParams, FactorModel, SyntheticData, TopK } from './types.js';

const native = createNativeEngine();
const enabled = wasmTestsEnabled();
const builds: [string, WasmEngine][] = !enabled
  ? []
  : [
      ['wasm-simd', createWasmEngine({ variant: 'simd' })],
      ['wasm-scalar', createWasmEngine({ variant: 'scalar' })],
    ];

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** Lists agree: same scores to `tol`, and where items differ their scores tie (to `tol`). */
function expectSameLists(got: TopK, want: TopK, tol = 1e-4): void {
  expect([got.rows, got.k]).toEqual([want.rows, want.k]);
  for (let j = 0; j < want.items.length; j++) {
    const [g, w] = [got.scores[j] as number, want.scores[j] as number];
    if (w === -Infinity) expect(g).toBe(-Infinity);
    else expect(Math.abs(g - w)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w)));
  }
  let differ = 0;
  for (let j = 0; j < want.items.length; j++) if (got.items[j] !== want.items[j]) differ += 1;
  expect(differ).toBeLessThanOrEqual(want.items.length * 0.01); // only swapped near-ties
}

/** [label, params, explicit data, tolerance]. Exact solves agree to rounding; CG stops after a few
 * steps short of convergence, so the kernels' rounding (no FMA in WASM, other lane orders)
 * carries through the iterations a little more. Factors here are of order 1. */
const cases: [string, Partial<AlsParams>, boolean, number][] = [
  ['explicit, Cholesky', { rank: 8, maxIter: 6, regParam: 0.1, seed: 3 }, true, 1e-4],
  ['explicit, nonnegative', { rank: 6, maxIter: 4, regParam: 0.1, nonnegative: true, seed: 5 }, true, 1e-4],
  ['implicit, CG', { rank: 16, maxIter: 5, implicitPrefs: true, alpha: 10, solver: 'cg', cgSteps: 3, seed: 1 }, false, 1e-2],
  ['implicit, CG, rank 64', { rank: 64, maxIter: 3, implicitPrefs: true, alpha: 1, regParam: 0.05, regScaling: 'plain', confidence: 'linear', solver: 'cg', seed: 1 }, false, 1e-2],
  ['implicit, Cholesky, log confidence', { rank: 12, maxIter: 4, implicitPrefs: true, alpha: 2, confidence: 'log', regScaling: 'plain', seed: 2 }, false, 1e-4],
  [
    'iALS, Cholesky (α0, frequency-scaled λ)',
    { rank: 12, maxIter: 4, implicitPrefs: true, alpha: 2, unobservedWeight: 0.1, regScaling: 'frequency', regExponent: 1, regParam: 0.01, seed: 4 },
    false,
    1e-4,
  ],
  [
    'iALS, block solver, rank 64 in blocks of 16',
    { rank: 64, maxIter: 3, implicitPrefs: true, alpha: 1, unobservedWeight: 0.05, regScaling: 'frequency', regExponent: 0.5, regParam: 0.02, solver: 'block', blockSize: 16, seed: 1 },
    false,
    1e-2,
  ],
];

describe.each(builds)('%s beside native', (_name, wasm) => {
  const data: Record<string, SyntheticData> = {};
  beforeAll(async () => {
    for (const explicit of [true, false]) {
      data[String(explicit)] = await native.generateSynthetic({ nUsers: 400, nItems: 300, nInteractions: 12_000, explicit, seed: 9 });
    }
  });

  it('generates the same synthetic data', async () => {
    const spec = { nUsers: 500, nItems: 200, nInteractions: 9000, seed: 4 };
    expect(await wasm.generateSynthetic(spec)).toEqual(await native.generateSynthetic(spec));
  });

  it.each(cases)('fits the same factors (%s), with the same loss', async (_label, params, explicit, tol) => {
    const d = data[String(explicit)] as SyntheticData;
    const [a, b] = await Promise.all([native.fit(d, params), wasm.fit(d, params)]);
    expect(maxAbsDiff(b.userFactors, a.userFactors)).toBeLessThan(tol);
    expect(maxAbsDiff(b.itemFactors, a.itemFactors)).toBeLessThan(tol);
    const [la, lb] = [a.iterations.at(-1)?.loss as number, b.iterations.at(-1)?.loss as number];
    expect(Math.abs(lb - la)).toBeLessThan(1e-4 * la);
  });

  describe('on the same factors', () => {
    let model: FactorModel;
    const params: Partial<AlsParams> = { rank: 16, maxIter: 5, implicitPrefs: true, alpha: 10, solver: 'cg', seed: 7 };
    beforeAll(async () => {
      model = await native.fit(data.false as SyntheticData, params);
    });

    it('ranks the same top-k for every user, seen items excluded', async () => {
      const options = { k: 10, exclude: data.false as SyntheticData };
      expectSameLists(await wasm.topK(model, options), await native.topK(model, options));
    });

    it('finds the same similar items', async () => {
      const items = Uint32Array.from({ length: 50 }, (_, i) => i * 6);
      expectSameLists(await wasm.similarItems(model, items, 10), await native.similarItems(model, items, 10));
    });

    it('folds in the same vector and top-k', () => {
      const [a, b] = [native.createFoldIn(model, params), wasm.createFoldIn(model, params)];
      for (const items of [Uint32Array.of(0, 5, 17), Uint32Array.of(3, 40, 41, 42, 99, 250, 299), Uint32Array.of(12)]) {
        const values = Float32Array.from(items, (_, i) => 1 + (i % 3));
        const [ra, rb] = [a.recommend(items, values, 10), b.recommend(items, values, 10)];
        expect(maxAbsDiff(rb.vector, ra.vector)).toBeLessThan(1e-4);
        expectSameLists(rb, ra);
        expect(b.userVector(items, values)).toEqual(rb.vector);
      }
    });
  });
});

describe.skipIf(!enabled)('WASM builds', () => {
  // Read when a test runs, not while collecting: a skipped describe still runs its body.
  const simd = () => (builds[0] as [string, WasmEngine])[1];
  const scalar = () => (builds[1] as [string, WasmEngine])[1];

  it('run their own kernel and refuse the native ones', () => {
    const [simd_, scalar_] = [simd(), scalar()];
    expect([simd_.variant, simd_.kernelName()]).toEqual(['simd', 'simd128']);
    expect([scalar_.variant, scalar_.kernelName()]).toEqual(['scalar', 'portable']);
    expect(() => scalar_.forceKernel('avx2+fma')).toThrow('forceKernel: this WebAssembly build does not support the avx2+fma kernel (best: portable)');
  });

  it('agree between the simd128 and the portable kernel of the SIMD build', async () => {
    const simd_ = simd();
    const d = await simd_.generateSynthetic({ nUsers: 200, nItems: 150, nInteractions: 5000, seed: 2 });
    for (const params of [
      { rank: 12, maxIter: 3, implicitPrefs: true, solver: 'cg' },
      { rank: 12, maxIter: 3, implicitPrefs: true, solver: 'block', blockSize: 5, unobservedWeight: 0.2 },
    ] as Partial<AlsParams>[]) {
      const a = await simd_.fit(d, params);
      try {
        expect(simd_.forceKernel('portable')).toBe('portable');
        const b = await simd_.fit(d, params);
        expect(b.kernel).toBe('portable');
        expect(maxAbsDiff(a.itemFactors, b.itemFactors)).toBeLessThan(1e-3);
      } finally {
        expect(simd_.forceKernel(null)).toBe('simd128');
      }
    }
  });

  it.each([false, true])('turn a Rust panic into ERR_ALS_PANIC and keep working (on the worker: %s)', async (onWorker) => {
    const engine = createWasmEngine();
    const err = await (async () => engine._panicForTest(onWorker))().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_ALS_PANIC', message: '_panicForTest: internal error (Rust panic): deliberate test panic' });
    const d = await engine.generateSynthetic({ nUsers: 20, nItems: 10, nInteractions: 100, explicit: true });
    const model = await engine.fit(d, { rank: 2, maxIter: 2 });
    expect(engine.createFoldIn(model).recommend(Uint32Array.of(1), Float32Array.of(4), 3).items).toHaveLength(3);
  });
});
