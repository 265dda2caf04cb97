// `pnpm bench:train`: ALS training and batch top-k speed on synthetic implicit data at the
// shapes of MovieLens 1M and 25M, with the `implicit` library's settings (64 factors,
// 15 iterations, CG 3 steps warm-started, λ 0.05 plain, α 1, its confidence convention,
// 2 threads). Each configuration runs in its own child process, so peak RSS is its own.
// Baselines in the same run: the engine's portable (non-SIMD) kernel, and Spark's confidence
// convention (1 + α·r, every entry weighted). The `implicit` library's published figures on
// this machine are printed beside them for reference; it cannot be installed here.
//
// Usage: pnpm bench:train [--shapes ml-1m,ml-25m] [--iterations 15] [--out bench/results]

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadEngine } from '../ts/engine/index.js';
import type { KernelName } from '../ts/engine/index.js';
import { describeHardware, hardware } from './hardware.js';
import { implicitLibrarySettings } from './settings.js';
import { markdownTable, textTable } from './table.js';

type Shape = 'ml-1m' | 'ml-25m';
interface Config {
  shape: Shape;
  label: string;
  kernel: KernelName | null;
  confidence: 'linear' | 'one-plus-alpha';
  iterations: number;
}
interface Result extends Config {
  kernelUsed: string;
  users: number;
  items: number;
  interactions: number;
  generateSeconds: number;
  fitSeconds: number;
  secondsPerIteration: number;
  finalLoss: number | null;
  topkSeconds: number;
  peakRssMiB: number;
}

/** The `implicit` library 0.7.3 (CPU, CG) on this machine, same parameters (from the issue). */
const IMPLICIT_REFERENCE: Record<Shape, string> = {
  'ml-1m': '0.13–0.23 s/iter',
  'ml-25m': '≈ 6 s/iter (91–101 s per fit), top-10 all users ≈ 18 s',
};

async function runOne(c: Config): Promise<Result> {
  const engine = loadEngine();
  if (c.kernel) engine.forceKernel(c.kernel);
  let t = performance.now();
  const data = await engine.generateSynthetic({ preset: c.shape, explicit: false, seed: 42, threads: 2 });
  const generateSeconds = (performance.now() - t) / 1000;
  const params = implicitLibrarySettings({ maxIter: c.iterations, confidence: c.confidence, threads: 2, computeLoss: true });
  const model = await engine.fit(data, params);
  const fitSeconds = model.iterations.reduce((s, r) => s + r.seconds, 0);
  t = performance.now();
  await engine.topK(model, { k: 10, exclude: data, threads: 2 });
  const topkSeconds = (performance.now() - t) / 1000;
  return {
    ...c,
    kernelUsed: model.kernel,
    users: data.nUsers,
    items: data.nItems,
    interactions: data.users.length,
    generateSeconds,
    fitSeconds,
    secondsPerIteration: fitSeconds / model.iterations.length,
    finalLoss: model.iterations.at(-1)?.loss ?? null,
    topkSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

function child(c: Config): Result {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self, '--child', JSON.stringify(c)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench:train: the ${c.label} run on ${c.shape} failed (exit ${r.status})`);
  const last = r.stdout.trim().split('\n').at(-1)!;
  return JSON.parse(last) as Result;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      shapes: { type: 'string', default: 'ml-1m,ml-25m' },
      iterations: { type: 'string', default: '15' },
      'baseline-iterations': { type: 'string', default: '3' },
      out: { type: 'string', default: 'bench/results' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(`pnpm bench:train [--shapes ml-1m,ml-25m] [--iterations 15] [--baseline-iterations 3] [--out bench/results]

Fits implicit ALS (64 factors, CG 3 steps, λ 0.05 plain, α 1, 2 threads) on synthetic data shaped
like MovieLens 1M and 25M, then top-10 for every user with seen items removed. Beside it, in the same
run: the portable (non-SIMD) kernel and Spark's confidence convention. Prints a table and writes
train.json and train.md to --out.`);
    return;
  }
  if (values.child) {
    console.log(JSON.stringify(await runOne(JSON.parse(values.child) as Config)));
    return;
  }
  const iterations = Number(values.iterations);
  const baseIter = Number(values['baseline-iterations']);
  const shapes = values.shapes.split(',') as Shape[];
  const configs: Config[] = shapes.flatMap((shape) => [
    { shape, label: 'engine (SIMD), implicit convention', kernel: null, confidence: 'linear' as const, iterations },
    { shape, label: 'engine (SIMD), Spark convention 1+αr', kernel: null, confidence: 'one-plus-alpha' as const, iterations: shape === 'ml-25m' ? baseIter : iterations },
    { shape, label: 'baseline: portable kernel, implicit convention', kernel: 'portable' as const, confidence: 'linear' as const, iterations: shape === 'ml-25m' ? baseIter : iterations },
  ]);
  const hw = hardware();
  console.log(`bench:train on ${describeHardware(hw)}`);
  const results: Result[] = [];
  for (const c of configs) {
    process.stderr.write(`running ${c.shape}: ${c.label} (${c.iterations} iterations)…\n`);
    results.push(child(c));
  }
  const header = ['shape', 'configuration', 'kernel', 'iters', 's/iter', 'fit s', 'final loss', 'top-10 all users s', 'peak RSS MiB'];
  const rows = results.map((r) => [
    r.shape,
    r.label,
    r.kernelUsed,
    String(r.iterations),
    r.secondsPerIteration.toFixed(3),
    r.fitSeconds.toFixed(2),
    r.finalLoss === null ? '—' : r.finalLoss.toExponential(4),
    r.topkSeconds.toFixed(2),
    r.peakRssMiB.toFixed(0),
  ]);
  console.log('\n' + textTable(header, rows));
  console.log('\n`implicit` 0.7.3 on this machine (reference, same parameters):');
  for (const s of shapes) console.log(`  ${s}: ${IMPLICIT_REFERENCE[s]}`);
  const targets = results.filter((r) => r.shape === 'ml-25m' && r.kernel === null && r.confidence === 'linear');
  for (const r of targets) {
    const ok = r.secondsPerIteration <= 2 && r.topkSeconds <= 18 && r.peakRssMiB <= 2048;
    console.log(`\ntargets (ML-25M shape: ≤ 2 s/iter, top-10 ≤ 18 s, ≤ 2 GB): ${ok ? 'PASS' : 'FAIL'} ` +
      `(${r.secondsPerIteration.toFixed(2)} s/iter, ${r.topkSeconds.toFixed(1)} s, ${r.peakRssMiB.toFixed(0)} MiB)`);
  }
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, 'train.json'), JSON.stringify({ hardware: hw, date: new Date().toISOString(), results }, null, 2));
  writeFileSync(join(values.out, 'train.md'), `Hardware: ${describeHardware(hw)}\n\n${markdownTable(header, rows)}\n`);
}

await main();
