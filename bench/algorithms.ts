// `pnpm bench:algorithms`: every algorithm (`recs train --algorithm`) with its defaults on
// MovieLens 100K, on each engine (native addon, WASM), in one run: the evaluation fit's seconds,
// top-k of every user, the evaluation, and the ranking quality beside the popularity baseline,
// with each algorithm's fit time as a ratio of ALS's on the same engine (run it on a quiet
// machine: `flock /tmp/recs-bench.lock pnpm bench:algorithms`).
//
// Protocol: `recs train`'s default (stratified by item 0.75, seed 42, top-10 with training items
// removed, every test interaction relevant); the model served is the evaluation fit (no refit).

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chooseEngine, type Engine } from '../ts/engine/index.js';
import { ALGORITHMS, paramDefaults } from '../ts/model/algorithms/index.js';
import { DEFAULT_OPTIONS, type TrainOptions } from '../ts/model/pipeline/options.js';
import { silentProgress } from '../ts/model/pipeline/progress.js';
import { train } from '../ts/model/pipeline/train.js';
import { describeHardware, hardware } from './hardware.js';
import { textTable } from './table.js';

const DIR = resolve(import.meta.dirname, '../../../shared/datasets/ml-100k');

async function main(): Promise<void> {
  if (!existsSync(DIR)) {
    console.log(`SKIP: ${DIR} not found (the data sets are read from ../shared/datasets; they are never committed)`);
    return;
  }
  console.log(`bench:algorithms on ${describeHardware(hardware())}`);
  const engines: Array<{ name: string; engine: Engine }> = [];
  for (const kind of ['native', 'wasm']) {
    try {
      engines.push({ name: kind, engine: chooseEngine(kind).engine });
    } catch (e) {
      console.log(`SKIP ${kind}: ${(e as Error).message}`);
    }
  }
  const rows: string[][] = [];
  for (const { name, engine } of engines) {
    let alsFit = NaN;
    for (const a of ALGORITHMS) {
      const o: TrainOptions = {
        ...structuredClone(DEFAULT_OPTIONS),
        dataset: { kind: 'movielens', size: '100k', dir: DIR },
        refit: false,
        beyondAccuracy: 'none',
        activate: false,
        modelsDir: mkdtempSync(join(tmpdir(), 'bench-algorithms-')),
        ...(a.name === 'als' ? {} : { algorithm: { name: a.name, params: paramDefaults(a) } }),
      };
      process.stderr.write(`${name}: ${a.name}…\n`);
      const m = (await train(engine, o, silentProgress)).manifest;
      const fit = m.timings.fit ?? NaN;
      if (a.name === 'als') alsFit = fit;
      const f = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(4));
      rows.push([
        name,
        a.name,
        fit.toFixed(2),
        (fit / alsFit).toFixed(2),
        (m.timings.topk ?? NaN).toFixed(2),
        (m.timings.evaluate ?? NaN).toFixed(2),
        f(m.metrics['ndcg@10']),
        f(m.metrics['precision@10']),
        f(m.baseline['ndcg@10']),
      ]);
    }
  }
  console.log('\n' + textTable(['engine', 'algorithm', 'fit s', '× ALS fit', 'top-k all users s', 'evaluate s', 'NDCG@10', 'P@10', 'popularity NDCG@10'], rows));
}

await main();
