// Owns the list of engines the engine tests run against: the native addon and the WASM build
// (SIMD and non-SIMD modules), so every engine test checks each the same way.

import { createNativeEngine } from './native.js';
import { existsSync } from 'node:fs';
import { createWasmEngine, wasmModulePath } from './wasm.js';
import type { Engine } from './types.js';

export interface NamedEngine {
  name: 'native' | 'wasm-simd' | 'wasm-scalar';
  engine: Engine;
}

/** Whether the WASM tests run: in CI always (a missing module then fails them), elsewhere when built. */
export function wasmTestsEnabled(): boolean {
  if (process.env.CI || existsSync(wasmModulePath('simd'))) return true;
  console.warn(`WASM tests: SKIPPING: ${wasmModulePath('simd')} is missing (run \`pnpm build:wasm\`)`);
  return false;
}

/** native, wasm-simd and (unless `scalar` is false) wasm-scalar, for `describe.each`. */
export function testEngines(options: { scalar?: boolean } = {}): NamedEngine[] {
  const engines: NamedEngine[] = [{ name: 'native', engine: createNativeEngine() }];
  // Outside CI, a machine without the WebAssembly toolchain runs the native half and says so;
  // CI builds the modules, and there a missing one fails the WASM tests loudly.
  if (!wasmTestsEnabled()) return engines;
  engines.push({ name: 'wasm-simd', engine: createWasmEngine({ variant: 'simd' }) });
  if (options.scalar !== false) engines.push({ name: 'wasm-scalar', engine: createWasmEngine({ variant: 'scalar' }) });
  return engines;
}
