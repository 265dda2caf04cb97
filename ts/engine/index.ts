// Owns engine selection: `loadEngine()` returns the native engine when an addon loads (the local
// build, else the platform package), else the WASM engine, saying so in one line on stderr;
// ENGINE=native or ENGINE=wasm (or the `kind` argument) forces one. `chooseEngine()` also returns
// that line, for `pnpm install` to print which engine will run.

import { createNativeEngine, findAddon } from './native.js';
import { createWasmEngine, type WasmEngine } from './wasm.js';
import type { Engine } from './types.js';

export type * from './types.js';
export { EMPTY_ITEM } from './types.js';
export { nativeAddonPath } from './native.js';
export { platformName } from './native-locate.js';
export { createWasmEngine, wasmModulePath } from './wasm.js';

const why = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/^als engine: /, '');

/** How to get the native engine where it did not load. */
export const NATIVE_HINT = 'For the native engine (several times faster): install Rust (https://rustup.rs), then `pnpm build:native`.';

function wasmLine(engine: WasmEngine): string {
  const simd = { relaxed: 'simd128 with relaxed-simd FMA', simd: 'simd128', scalar: 'no SIMD' }[engine.variant];
  return `WASM (${simd}, ${engine.threads} worker thread${engine.threads === 1 ? '' : 's'})`;
}

/** The engine `loadEngine` would return, and one line saying which it is and, for WASM, why and how to get the native one. */
export function chooseEngine(kind: string | undefined = process.env.ENGINE): { engine: Engine; line: string; fallback: boolean } {
  const name = kind ?? '';
  if (name === 'native') {
    const found = findAddon();
    return { engine: createNativeEngine(found.addon), line: `als engine: native (${found.source}: ${found.path})`, fallback: false };
  }
  if (name === 'wasm') {
    const engine = createWasmEngine();
    return { engine, line: `als engine: ${wasmLine(engine)}, as ENGINE=wasm asks`, fallback: false };
  }
  if (name !== '') throw new Error(`als engine: unknown ENGINE "${name}" (expected "native" or "wasm")`);
  let nativeError: unknown;
  try {
    const found = findAddon();
    return { engine: createNativeEngine(found.addon), line: `als engine: native (${found.source}: ${found.path})`, fallback: false };
  } catch (e) {
    nativeError = e;
  }
  try {
    const engine = createWasmEngine();
    const reason = why(nativeError).replace(/; run `pnpm build:native`.*$/, '');
    return { engine, line: `als engine: ${wasmLine(engine)}; ${reason}. ${NATIVE_HINT}`, fallback: true };
  } catch (wasmError) {
    throw new Error(`als engine: neither engine loads. Native: ${why(nativeError)}. WASM: ${why(wasmError)}`);
  }
}

let warned = false;

/** The engine named by `kind`, or by $ENGINE ('native' | 'wasm'); by default native, falling back to WASM with a one-line notice. */
export function loadEngine(kind: string | undefined = process.env.ENGINE): Engine {
  const { engine, line, fallback } = chooseEngine(kind);
  if (fallback && !warned) {
    warned = true;
    console.warn(line);
  }
  return engine;
}
