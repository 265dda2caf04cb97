// `pnpm bench:wasm`: the WASM engine beside the native one on synthetic implicit data shaped like
// MovieLens 1M: fit (rank 64, CG 3 steps, λ 0.05 plain, α 1, the `implicit` convention), fold-in
// of a 100-interaction user with its top-10, and top-10 for every user (seen items excluded).
// Engines: native with 1 and 2 threads (best kernel), native on 1 thread with AVX2 (closer to
// WASM's 128-bit vectors), WASM simd128 on 1 and 2 worker threads, WASM with relaxed-simd FMA on
// 2 (where the runtime validates it: Node 22+, or `node --experimental-wasm-relaxed-simd`), WASM
// without SIMD on 2. Every engine gets the same data and parameters.
//
// Usage: pnpm bench:wasm [--iterations 3] [--foldin-calls 300] [--out bench/results]
//   relaxed-simd on Node 20: pnpm build:ts && node --experimental-wasm-relaxed-simd dist/bench/wasm.js

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { createNativeEngine } from '../ts/engine/native.js';
import { createWasmEngine, wasmModulePath } from '../ts/engine/wasm.js';
import type { Engine, KernelName, SyntheticData } from '../ts/engine/index.js';
import { describeHardware, hardware } from './hardware.js';
import { markdownTable, textTable } from './table.js';
import { implicitLibrarySettings } from './settings.js';

interface Config {
  label: string;
  engine: () => Engine;
  threads: number;
  /** A native kernel to force (process-wide; restored after the run). */
  kernel?: KernelName;
}

interface Result {
  label: string;
  kernel: string;
  secondsPerIteration: number;
  fitWallSeconds: number;
  foldInMicros: number;
  topkSeconds: number;
}

const CONFIGS: Config[] = [
  { label: 'native, 1 thread', engine: () => createNativeEngine(), threads: 1 },
  { label: 'native, 2 threads', engine: () => createNativeEngine(), threads: 2 },
  { label: 'native, 1 thread, AVX2', engine: () => createNativeEngine(), threads: 1, kernel: 'avx2+fma' },
  { label: 'WASM simd128, 1 thread', engine: () => createWasmEngine({ variant: 'simd' }), threads: 1 },
  { label: 'WASM simd128, 2 threads', engine: () => createWasmEngine({ variant: 'simd' }), threads: 2 },
  ...(WebAssembly.validate(readFileSync(wasmModulePath('relaxed'))) ? [{ label: 'WASM relaxed-simd FMA, 2 threads', engine: () => createWasmEngine({ variant: 'relaxed' }), threads: 2 }] : []),
  { label: 'WASM no SIMD, 2 threads', engine: () => createWasmEngine({ variant: 'scalar' }), threads: 2 },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** A fixed synthetic user: 100 distinct items (a stride coprime to the catalogue size) with play counts 1–5. */
function foldInUser(nItems: number): { items: Uint32Array; values: Float32Array } {
  const items = Uint32Array.from({ length: 100 }, (_, i) => (i * 37 + 5) % nItems);
  return { items, values: Float32Array.from(items, (_, i) => 1 + (i % 5)) };
}

async function run(c: Config, data: SyntheticData, iterations: number, calls: number): Promise<Result> {
  const engine = c.engine();
  if (c.kernel) engine.forceKernel(c.kernel);
  try {
    return await measure(engine, c, data, iterations, calls);
  } finally {
    if (c.kernel) engine.forceKernel(null);
  }
}

async function measure(engine: Engine, c: Config, data: SyntheticData, iterations: number, calls: number): Promise<Result> {
  const params = implicitLibrarySettings({ maxIter: iterations, threads: c.threads, computeLoss: false });

  let t = performance.now();
  const model = await engine.fit(data, params);
  const fitWallSeconds = (performance.now() - t) / 1000;
  const secondsPerIteration = median(model.iterations.map((r) => r.seconds));

  const fold = engine.createFoldIn(model, params);
  const user = foldInUser(data.nItems);
  for (let i = 0; i < 20; i++) fold.recommend(user.items, user.values, 10); // warm up
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    t = performance.now();
    fold.recommend(user.items, user.values, 10);
    times.push(performance.now() - t);
  }

  t = performance.now();
  await engine.topK(model, { k: 10, exclude: data, threads: c.threads });
  const topkSeconds = (performance.now() - t) / 1000;
  return { label: c.label, kernel: model.kernel, secondsPerIteration, fitWallSeconds, foldInMicros: median(times) * 1000, topkSeconds };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '3' },
      'foldin-calls': { type: 'string', default: '300' },
      out: { type: 'string', default: 'bench/results' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('pnpm bench:wasm [--iterations 3] [--foldin-calls 300] [--out bench/results]');
    return;
  }
  const iterations = Number(values.iterations);
  const calls = Number(values['foldin-calls']);
  const hw = hardware();
  console.log(`bench:wasm on ${describeHardware(hw)}`);
  const data = await createNativeEngine().generateSynthetic({ preset: 'ml-1m', explicit: false, seed: 42, threads: 2 });
  console.log(`data: ML-1M shape, ${data.nUsers} users × ${data.nItems} items, ${data.users.length} interactions; rank 64, implicit CG, ${iterations} iterations`);
  const results: Result[] = [];
  for (const c of CONFIGS) {
    process.stderr.write(`running ${c.label}…\n`);
    results.push(await run(c, data, iterations, calls));
  }
  const base = results[0] as Result;
  const native2 = results[1] as Result;
  const header = ['engine', 'kernel', 's/iter', 'fit wall s', '× native 1t (fit)', '× native 2t (fit)', 'fold-in+top-10 µs', 'top-10 all users s', '× native 1t (top-k)'];
  const rows = results.map((r) => [
    r.label,
    r.kernel,
    r.secondsPerIteration.toFixed(3),
    r.fitWallSeconds.toFixed(2),
    (base.secondsPerIteration / r.secondsPerIteration).toFixed(2),
    (native2.secondsPerIteration / r.secondsPerIteration).toFixed(2),
    r.foldInMicros.toFixed(0),
    r.topkSeconds.toFixed(2),
    (base.topkSeconds / r.topkSeconds).toFixed(2),
  ]);
  console.log('\n' + textTable(header, rows));
  console.log('\n× native 1t / 2t: speed relative to the native engine on one / two threads (higher is faster). WASM top-k runs on one thread.');
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, 'wasm.json'), JSON.stringify({ hardware: hw, date: new Date().toISOString(), iterations, results }, null, 2));
  writeFileSync(join(values.out, 'wasm.md'), `Hardware: ${describeHardware(hw)}\n\n${markdownTable(header, rows)}\n`);
}

await main();
