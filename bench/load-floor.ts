// `pnpm bench:load-floor` (node dist/bench/load-floor.js): how close the open-loop load test
// (`pnpm bench --url`, ./load/) comes to the server's own view of its latency. Starts `recs serve`
// on MovieLens 100K (the serving bench's cached model, API key on) and a bare uWebSockets.js
// endpoint answering bodies of the API's mean size, both pinned to the last core, this process and
// its generator thread to the others (./serve/cores.ts). For each rate it runs the same open-loop
// schedule against the bare endpoint — the floor: the generator plus the loopback round trip, the
// server doing nothing — and against the API, whose /metrics histogram over the same seconds is
// the server's own view; it prints p50/p99/p99.9 side by side with the generator's send lag. With
// --knee it searches the knee of each: when the API's is as low as the bare endpoint's, the knee is
// the generator's, not the server's. Writes load-floor.json and load-floor.md to --out.

import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../ts/util/package-root.js';
import { describeHardware, hardware } from './hardware.js';
import { findKnee, type KneeResult } from './load/knee.js';
import { runStep, type StepOptions } from './load/run.js';
import { GeneratorThreads } from './load/threads.js';
import { loadScenario } from './load/scenario.js';
import { apiHistogram, FLOOR_HEADER, floorRows, whoseKnee, type FloorRow } from './load/floor.js';
import { diffSnapshots, scrape } from './load/server-metrics.js';
import { parseSlo } from './load/slo.js';
import { sampleBodySize } from './serve/body-size.js';
import { startApi, startBare, type Running } from './serve/children.js';
import { applyCorePlan } from './serve/cores.js';
import { movieLensModel } from './serve/models.js';
import { recommendationPaths } from './serve/urls.js';
import { markdownTable, textTable } from './table.js';

const ROOT = packageRoot();

const HELP = `pnpm bench:load-floor [options]   (node dist/bench/load-floor.js after pnpm build:ts)

The open-loop load test's latency beside the server's own: the same schedule against a bare
uWebSockets.js endpoint (the generator + loopback floor) and against recs serve on MovieLens 100K,
with the API's /metrics histogram over the same seconds. Servers on the last core, the generator on
the others.

  --rates LIST        open-loop rates, requests/s (default 500,2000)
  --duration S        measured seconds per rate and endpoint (default 10)
  --warmup S          seconds of the same load before each, not counted (default 2)
  --scenario S        a GET-only open-loop scenario (default read-heavy; the bare endpoint answers GETs)
  --workers N         generator threads (default 1)
  --knee              also search the knee of each endpoint (--slo, default p99<10ms)
  --slo TEXT          the knee's objective           --knee-start R   first rate (default 2000)
  --knee-duration S   seconds per knee step (default 5)
  --ml-dir DIR        unzipped ML-100k (default ../shared/datasets/ml-100k)
  --no-pin            leave cores unpinned
  --out DIR           load-floor.json and .md go here (default bench/results)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rates: { type: 'string', default: '500,2000' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      scenario: { type: 'string', default: 'read-heavy' },
      workers: { type: 'string', default: '1' },
      knee: { type: 'boolean' },
      slo: { type: 'string', default: 'p99<10ms' },
      'knee-start': { type: 'string', default: '2000' },
      'knee-duration': { type: 'string', default: '5' },
      'ml-dir': { type: 'string', default: join(ROOT, '..', 'shared', 'datasets', 'ml-100k') },
      'no-pin': { type: 'boolean' },
      out: { type: 'string', default: join(ROOT, 'bench', 'results') },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const positive = (name: string, v: string) => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n)) throw new Error(`--${name} must be a positive number, got "${v}"`);
    return n;
  };
  const rates = values.rates.split(',').map((r) => positive('rates', r.trim()));
  const duration = positive('duration', values.duration);
  const warmup = Number(values.warmup);
  const workers = positive('workers', values.workers);
  const scenario = loadScenario(values.scenario);
  if (scenario.arrival.model !== 'open') throw new Error(`--scenario ${scenario.name}: needs arrival model "open" (a rate), e.g. read-heavy`);
  if (scenario.mix.some((m) => m.request === 'events'))
    throw new Error(`--scenario ${scenario.name}: posts events, which the bare endpoint does not answer; pick a GET-only scenario such as read-heavy`);
  const objectives = parseSlo(values.slo);
  const cores = applyCorePlan(!values['no-pin']);
  console.log(`bench: ${describeHardware(hardware())}; ${cores.note}`);

  const model = await movieLensModel(join(ROOT, '.cache', 'bench-models'), values['ml-dir']);
  if (!model) throw new Error(`--ml-dir ${values['ml-dir']}: no u.data there (the unzipped MovieLens 100K)`);
  const apiKey = randomBytes(16).toString('hex');
  const ids = { users: model.userIds(), items: model.itemIds() };
  let api: Running | null = null;
  let bare: Running | null = null;
  let threads: GeneratorThreads | null = null;
  try {
    api = await startApi(ROOT, model.modelsDir, apiKey);
    const bytes = await sampleBodySize(api.url, recommendationPaths(ids.users, 200).paths, { 'x-api-key': apiKey });
    bare = await startBare(ROOT, bytes);
    const endpoints = [
      { name: 'bare uWS', url: bare.url, metrics: false },
      { name: 'recs serve', url: api.url, metrics: true },
    ];
    console.log(`bench: ${scenario.name} (open loop) against ${endpoints.map((e) => `${e.name} ${e.url}`).join(' and ')}; bare bodies of ${bytes} bytes`);
    const base: Omit<StepOptions, 'urls' | 'rate' | 'durationS' | 'maxRequests'> = {
      apiKey,
      insecure: false,
      scenario,
      ids,
      users: 0,
      thinkMs: 0,
      workers,
      maxConnections: 1000,
      timeoutMs: 10_000,
      seed: 1,
    };
    // one set of generator threads for every step: the warm-ups warm their compiled code too
    threads = new GeneratorThreads(workers);
    const measure = async (e: (typeof endpoints)[number], rate: number, d: number): Promise<FloorRow> => {
      if (warmup > 0) await runStep({ ...base, urls: [e.url], rate, durationS: warmup, maxRequests: Math.ceil(rate * warmup * 1.2) + 1000 }, threads!);
      const before = e.metrics ? await scrape([e.url], apiKey) : null;
      const step = await runStep({ ...base, urls: [e.url], rate, durationS: d, maxRequests: Math.ceil(rate * d * 1.2) + 1000 }, threads!);
      const after = e.metrics ? await scrape([e.url], apiKey) : null;
      return { endpoint: e.name, rate, step, server: before && after ? apiHistogram(diffSnapshots(before, after)) : null };
    };

    const rows: FloorRow[] = [];
    for (const rate of rates)
      for (const e of endpoints) {
        const row = await measure(e, rate, duration);
        rows.push(row);
        console.log(
          textTable(FLOOR_HEADER, floorRows([row]))
            .split('\n')
            .at(-1),
        );
      }
    const knees: Array<{ endpoint: string; knee: KneeResult }> = [];
    if (values.knee)
      for (const e of endpoints) {
        console.log(`\nknee of ${e.name} (${values.slo}):`);
        const knee = await findKnee({
          startRate: positive('knee-start', values['knee-start']),
          growth: 1.5,
          maxRate: 200_000,
          refine: 3,
          maxSteps: 16,
          pauseMs: 1000,
          objectives,
          log: (l) => console.log(l),
          step: async (rate) => (await measure(e, rate, positive('knee-duration', values['knee-duration']))).step,
        });
        knees.push({ endpoint: e.name, knee });
      }
    const whose = knees.length === 2 ? whoseKnee(knees[0]!.knee.knee, knees[1]!.knee.knee) : '';

    const table = floorRows(rows);
    console.log(`\nlatency in ms from the intended send time (bench) and from the server's own /metrics histogram (server; bucket-interpolated, buckets …, 0.05, 0.1, 0.25 ms, …)\n`);
    console.log(textTable(FLOOR_HEADER, table));
    for (const k of knees) console.log(`knee of ${k.endpoint}: ${k.knee.knee === null ? 'none met the objective' : `${Math.round(k.knee.knee).toLocaleString('en-US')} req/s`} (${k.knee.stoppedBy})`);
    if (whose) console.log(whose);
    mkdirSync(values.out, { recursive: true });
    const stem = join(values.out, 'load-floor');
    writeFileSync(
      `${stem}.json`,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          hardware: describeHardware(hardware()),
          cores: cores.note,
          scenario: scenario.name,
          rows: table.map((r) => Object.fromEntries(FLOOR_HEADER.map((h, i) => [i >= 10 && i <= 11 ? `server ${h}` : i >= 4 && i <= 6 ? `bench ${h}` : h, r[i]]))),
          knees: knees.map((k) => ({ endpoint: k.endpoint, knee: k.knee.knee, stoppedBy: k.knee.stoppedBy })),
          whose,
        },
        null,
        2,
      ),
    );
    writeFileSync(`${stem}.md`, `# Load-test floor: ${scenario.name}\n\n${cores.note}\n\n${markdownTable(FLOOR_HEADER, table)}\n${whose ? `\n${whose}\n` : ''}`);
    console.log(`wrote ${stem}.json and .md`);
    return 0;
  } finally {
    await threads?.close();
    await bare?.stop();
    await api?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`bench:load-floor: ${e.message}`);
    process.exit(1);
  },
);
