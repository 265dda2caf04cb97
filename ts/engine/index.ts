// Owns engine selection: `loadEngine()` returns the native engine when the addon loads, else the
// WASM engine; ENGINE=native or ENGINE=wasm (or the `kind` argument) forces one.

import { createNativeEngine } from './native.js';
import { createWasmEngine } from './wasm.js';
import type { Engine } from './types.js';

export type * from './types.js';
export { EMPTY_ITEM } from './types.js';
export { nativeAddonPath } from './native.js';
export { createWasmEngine, wasmModulePath } from './wasm.js';

/** The engine named by `kind`, or by $ENGINE ('native' | 'wasm'); by default native, falling back to WASM. */
export function loadEngine(kind: string | undefined = process.env.ENGINE): Engine {
  const name = kind ?? '';
  if (name === 'native') return createNativeEngine();
  if (name === 'wasm') return createWasmEngine();
  if (name !== '') throw new Error(`als engine: unknown ENGINE "${name}" (expected "native" or "wasm")`);
  try {
    return createNativeEngine();
  } catch (nativeError) {
    try {
      return createWasmEngine();
    } catch (wasmError) {
      const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
      throw new Error(`als engine: neither engine loads. Native: ${why(nativeError)}. WASM: ${why(wasmError)}`);
    }
  }
}
