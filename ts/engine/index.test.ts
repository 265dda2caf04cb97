// Tests engine selection (ENGINE env var, fallback to WASM when the addon does not load) and the
// loaders' messages when a build is missing.

import { afterEach, describe, expect, it } from 'vitest';

import { loadEngine } from './index.js';
import { loadAddon, nativeAddonPath } from './native.js';
import { loadWasmModule } from './wasm.js';

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

  it('picks the WASM engine when ENGINE=wasm', () => {
    process.env.ENGINE = 'wasm';
    const engine = loadEngine();
    expect(engine.kind).toBe('wasm');
    expect(engine.kernelName()).toBe('simd128');
  });

  it('falls back to WASM when the native addon does not load, unless native is asked for', () => {
    delete process.env.ENGINE;
    process.env.ALS_NATIVE_PATH = '/nonexistent/als.node';
    try {
      expect(loadEngine().kind).toBe('wasm');
      expect(() => loadEngine('native')).toThrow(/native addon not found/);
    } finally {
      delete process.env.ALS_NATIVE_PATH;
    }
  });

  it('rejects an unknown engine name', () => {
    expect(() => loadEngine('gpu')).toThrow(/unknown ENGINE "gpu"/);
  });
});

describe('loadAddon', () => {
  it('finds native/als.node at the repository root', () => {
    expect(nativeAddonPath()).toMatch(/native[\\/]als\.node$/);
  });

  it('fails loudly, naming the fix, when a build is missing', () => {
    expect(() => loadWasmModule('/nonexistent/als.wasm')).toThrow(
      /WebAssembly module not found at \/nonexistent\/als\.wasm; run `pnpm build:wasm`/,
    );
    expect(() => loadAddon('/nonexistent/als.node')).toThrow(
      /native addon not found at \/nonexistent\/als\.node; run `pnpm build:native`/,
    );
  });
});
