// Tests engine selection (ENGINE env var) and the loader's message when the addon is missing.

import { afterEach, describe, expect, it } from 'vitest';

import { loadEngine } from './index.js';
import { loadAddon, nativeAddonPath } from './native.js';

describe('loadEngine', () => {
  const saved = process.env.ENGINE;
  afterEach(() => {
    if (saved === undefined) delete process.env.ENGINE;
    else process.env.ENGINE = saved;
  });

  it('picks the native engine by default', () => {
    delete process.env.ENGINE;
    const engine = loadEngine();
    expect(engine.kind).toBe('native');
    expect(['avx512', 'avx2+fma', 'portable']).toContain(engine.kernelName());
  });

  it('reports that the wasm engine is not built yet', () => {
    process.env.ENGINE = 'wasm';
    expect(() => loadEngine()).toThrow(/wasm engine is not built yet/);
  });

  it('rejects an unknown engine name', () => {
    expect(() => loadEngine('gpu')).toThrow(/unknown ENGINE "gpu"/);
  });
});

describe('loadAddon', () => {
  it('finds native/als.node at the repository root', () => {
    expect(nativeAddonPath()).toMatch(/native[\\/]als\.node$/);
  });

  it('fails loudly, naming the fix, when the addon is missing', () => {
    expect(() => loadAddon('/nonexistent/als.node')).toThrow(
      /native addon not found at \/nonexistent\/als\.node; run `pnpm build:native`/,
    );
  });
});
