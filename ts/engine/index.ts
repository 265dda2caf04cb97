// Owns engine selection: `loadEngine()` returns the native engine; ENGINE=wasm is reserved for
// the WASM build (a later issue) and fails clearly until it exists.

import { createNativeEngine } from './native.js';
import type { Engine } from './types.js';

export type * from './types.js';
export { EMPTY_ITEM } from './types.js';
export { nativeAddonPath } from './native.js';

/** The engine named by `kind`, or by $ENGINE ('native' | 'wasm'), default native. */
export function loadEngine(kind: string | undefined = process.env.ENGINE): Engine {
  const name = kind === undefined || kind === '' ? 'native' : kind;
  if (name === 'native') return createNativeEngine();
  if (name === 'wasm') throw new Error('als engine: the wasm engine is not built yet (unset ENGINE or use ENGINE=native)');
  throw new Error(`als engine: unknown ENGINE "${name}" (expected "native" or "wasm")`);
}
