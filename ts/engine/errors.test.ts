// Tests that bad arguments and Rust panics surface as JS errors with clear messages (thrown, or
// rejected for async functions) and never take the process down. Argument errors: every engine,
// same codes and messages; panics: the native addon (the WASM build's in wasm.test.ts).

import { describe, expect, it } from 'vitest';

import { loadEngine } from './index.js';
import { loadAddon } from './native.js';
import type { Interactions } from './types.js';
import { testEngines } from './wasm-engines.js';

function tiny(): Interactions {
  return {
    nUsers: 3,
    nItems: 4,
    users: Uint32Array.of(0, 1, 2, 0),
    items: Uint32Array.of(0, 1, 3, 2),
    values: Float32Array.of(5, 3, 1, 4),
  };
}

const factors = { rank: 2, userFactors: new Float32Array(6).fill(0.5), itemFactors: new Float32Array(8).fill(0.25) };

describe.each(testEngines())('$name engine', ({ engine }) => {
  describe('fit argument errors', () => {
    it('requires typed arrays, naming the argument and what it got', async () => {
      const bad = { ...tiny(), users: [0, 1, 2, 0] as unknown as Uint32Array };
      const err = await engine.fit(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TypeError);
      expect(err).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
      expect((err as Error).message).toBe('fit: data.users must be a Uint32Array, got an Array');
      await expect(engine.fit({ ...tiny(), values: new Float64Array(4) as unknown as Float32Array })).rejects.toThrow('fit: data.values must be a Float32Array, got a Float64Array');
      await expect(engine.fit(null as unknown as Interactions)).rejects.toThrow('fit: data must be an object, got null');
    });

    it('rejects mismatched lengths', async () => {
      await expect(engine.fit({ ...tiny(), items: Uint32Array.of(0, 1) })).rejects.toThrow(
        'fit: data.users, data.items, data.values must have the same length (got data.users 4, data.items 2, data.values 4)',
      );
    });

    it('rejects a NaN rating, naming its position', async () => {
      await expect(engine.fit({ ...tiny(), values: Float32Array.of(5, NaN, 1, 4) })).rejects.toThrow('fit: data.values[1] is NaN; values must be finite numbers');
    });

    it('rejects an out-of-range index', async () => {
      await expect(engine.fit({ ...tiny(), items: Uint32Array.of(0, 1, 9, 2) })).rejects.toThrow('fit: data.items[2] = 9 is out of range (data.nItems = 4)');
      await expect(engine.fit({ ...tiny(), nUsers: -1 })).rejects.toThrow(/fit: data\.nUsers must be an integer/);
    });

    it('rejects bad parameters', async () => {
      await expect(engine.fit(tiny(), { maxIters: 3 } as never)).rejects.toThrow(/fit: params: unknown parameter "maxIters"/);
      await expect(engine.fit(tiny(), { rank: '10' } as never)).rejects.toThrow('fit: params.rank must be a number, got a string');
      await expect(engine.fit(tiny(), { rank: 0 })).rejects.toThrow('fit: params.rank must be an integer in 1..=1024, got 0');
      await expect(engine.fit(tiny(), { regParam: Number.NaN })).rejects.toThrow(/params\.regParam must be a finite number/);
      await expect(engine.fit(tiny(), { solver: 'cg' })).rejects.toThrow(/conjugate-gradient solver is for implicit feedback/);
      await expect(engine.fit(tiny(), { confidence: 'huge' } as never)).rejects.toThrow(/params\.confidence must be/);
    });

    it('rejects bad iALS parameters: α0, ν, block size', async () => {
      const implicit = { implicitPrefs: true } as const;
      await expect(engine.fit(tiny(), { ...implicit, unobservedWeight: 0 })).rejects.toThrow('unobservedWeight (alpha0) must be a finite number in (0, 1e6], got 0');
      await expect(engine.fit(tiny(), { ...implicit, unobservedWeight: -1 })).rejects.toThrow(/unobservedWeight \(alpha0\) must be/);
      await expect(engine.fit(tiny(), { ...implicit, regScaling: 'frequency', regExponent: 9 })).rejects.toThrow('the regularisation exponent (nu) must be in 0..=4, got 9');
      await expect(engine.fit(tiny(), { ...implicit, solver: 'block', blockSize: 0 })).rejects.toThrow(/params\.blockSize must be an integer in 1\.\.=?1024/);
      await expect(engine.fit(tiny(), { solver: 'block' })).rejects.toThrow(/block solver is for implicit feedback/);
      await expect(engine.fit(tiny(), { solver: 'blocks' } as never)).rejects.toThrow(/params\.solver must be "cholesky", "cg" or "block"/);
    });

    it('requires a function for onIteration', async () => {
      await expect(engine.fit(tiny(), {}, { onIteration: 5 as never })).rejects.toThrow('fit: onIteration must be a function, got a number');
    });

    it('reports core errors with an ERR_ALS code', async () => {
      const empty = { nUsers: 2, nItems: 2, users: new Uint32Array(0), items: new Uint32Array(0), values: new Float32Array(0) };
      await expect(engine.fit(empty)).rejects.toMatchObject({ code: 'ERR_ALS_INVALID_DATA' });
    });
  });

  describe('topK, similarItems and fold-in argument errors', () => {
    it('checks topK options', async () => {
      await expect(engine.topK(factors, { k: 0 })).rejects.toThrow('topK: options.k must be an integer in 1..=4294967295, got 0');
      await expect(engine.topK(factors, { k: 2, users: Uint32Array.of(0, 3) })).rejects.toThrow('topK: options.users[1] = 3 is out of range (number of user factor rows = 3)');
      await expect(engine.topK({ ...factors, itemFactors: new Float32Array(7) }, { k: 1 })).rejects.toThrow('topK: factors.itemFactors has length 7, not a multiple of rank 2');
      await expect(engine.topK(factors, { k: 1, exclude: { users: Uint32Array.of(0), items: Uint32Array.of(4) } })).rejects.toThrow(
        'topK: options.exclude.items[0] = 4 is out of range (options.exclude.nItems = 4)',
      );
      await expect(engine.topK({ ...factors, userFactors: Float32Array.of(0, 1, NaN, 0, 0, 0) }, { k: 1 })).rejects.toThrow('topK: factors.userFactors[2] is NaN; values must be finite numbers');
    });

    it('checks similarItems arguments', async () => {
      await expect(engine.similarItems(factors, Uint32Array.of(4), 2)).rejects.toThrow('similarItems: items[0] = 4 is out of range (number of items = 4)');
      await expect(engine.similarItems(factors, [0] as unknown as Uint32Array, 2)).rejects.toThrow('similarItems: items must be a Uint32Array, got an Array');
    });

    it('checks fold-in arguments synchronously', () => {
      const fold = engine.createFoldIn(factors);
      expect(() => fold.userVector(Uint32Array.of(4), Float32Array.of(1))).toThrow('FoldIn.userVector: items[0] = 4 is out of range (nItems = 4)');
      expect(() => fold.recommend(Uint32Array.of(1, 2), Float32Array.of(1), 3)).toThrow('FoldIn.recommend: items, values must have the same length (got items 2, values 1)');
      expect(() => fold.recommend(Uint32Array.of(1), Float32Array.of(Infinity), 3)).toThrow('FoldIn.recommend: values[0] is Infinity; values must be finite numbers');
      expect(() => engine.createFoldIn({ rank: 2, itemFactors: new Float32Array(3) })).toThrow('new FoldIn: factors.itemFactors has length 3, not a multiple of rank 2');
    });

    it('checks synthetic specs and kernel names', async () => {
      await expect(engine.generateSynthetic({ nUsers: 10 })).rejects.toThrow('generateSynthetic: spec.nItems is required (or give a preset)');
      await expect(engine.generateSynthetic({ preset: 'ml-2m' } as never)).rejects.toThrow(/spec\.preset must be/);
      expect(() => engine.forceKernel('sse' as never)).toThrow(/forceKernel: name must be "avx512", "avx2\+fma", (.*)"portable" or null/);
    });
  });

  describe('kernels', () => {
    it('forces the portable kernel and restores detection', () => {
      const detected = engine.kernelName();
      try {
        expect(engine.forceKernel('portable')).toBe('portable');
        expect(engine.kernelName()).toBe('portable');
      } finally {
        expect(engine.forceKernel(null)).toBe(detected);
      }
    });
  });
});

describe('native addon', () => {
  it('requires `new` for FoldIn', () => {
    const addon = loadAddon();
    expect(() => (addon.FoldIn as unknown as (f: unknown) => unknown)(factors)).toThrow(/call it with `new`/);
  });
});

describe('panics', () => {
  const addon = loadAddon();

  it('turns a panic on the JS thread into a thrown Error', () => {
    let err: unknown;
    try {
      addon._panicForTest(false);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      code: 'ERR_ALS_PANIC',
      message: '_panicForTest: internal error (Rust panic): deliberate test panic on the JS thread',
    });
  });

  it('turns a panic on a worker thread into a rejected promise', async () => {
    await expect(addon._panicForTest(true)).rejects.toMatchObject({
      code: 'ERR_ALS_PANIC',
      message: '_panicForTest: internal error (Rust panic): deliberate test panic on a worker thread',
    });
  });

  it('keeps working after panics', async () => {
    const model = await loadEngine('native').fit(tiny(), { rank: 2, maxIter: 2 });
    expect(model.userFactors).toHaveLength(6);
  });
});
