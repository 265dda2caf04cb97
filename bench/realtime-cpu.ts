// The real-time CPU bench (issue 15): how many µs of CPU one event costs on each thread of the
// server, from acknowledgement to fold-in. The real server (compiled `serve`, a child process,
// fresh SQLite event store) on ML-100K, no readers; events for distinct brand-new users posted
// at an offered rate (batches of 1–100, ./realtime/writer.ts), then drained (every user folded
// in). Each thread's CPU is read from /proc/<pid>/task/*/schedstat before and after (CPU time, not
// wall time: robust to a shared machine's noise), grouped by thread name (the server names its
// workers, ../ts/util/thread-nice.ts), and printed per event, one column per run; beside it the
// request thread's garbage-collection pauses by kind over the same run (./gc-probe.ts, loaded into
// the server: the pauses every reader waits out). With
// --baseline <another checkout, built>, runs alternate between that build and this one, side by side.
// Linux only.
//
//   node dist/bench/realtime-cpu.js [--events 40000] [--rate 5000] [--runs 2] [--baseline DIR]

import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startApi, type Running } from './serve/children.js';
import { movieLensModel } from './serve/models.js';
import { scratchRegistry } from './realtime/registry.js';
import { foldInDrained, scrape, value } from './realtime/scrape.js';
import { writeEvents } from './realtime/writer.js';
import { packageRoot } from '../ts/util/package-root.js';
import { cpuBetween, threadCpu } from './thread-cpu.js';
import { gcBetween, gcProbeEnv, readGc } from './gc-probe-env.js';
import type { GcTotals } from './gc-probe.js';

const ROOT = packageRoot();
const args = process.argv.slice(2);
const opt = (name: string, d: number): number => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : d;
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`${name} must be a positive number\nnode dist/bench/realtime-cpu.js [--events N] [--rate N] [--runs N]`);
  return v;
};
const EVENTS = opt('--events', 40_000);
const RATE = opt('--rate', 5_000);
const RUNS = opt('--runs', 2);
const baseAt = args.indexOf('--baseline');
const BASELINE = baseAt >= 0 ? args[baseAt + 1] : undefined;
const builds = BASELINE
  ? [
      { label: 'baseline', root: BASELINE },
      { label: 'this build', root: ROOT },
    ]
  : [{ label: 'this build', root: ROOT }];

const drained = (api: Running) => foldInDrained(api.url, { pollMs: 50 });

const model = await movieLensModel(join(ROOT, '.cache', 'bench-models'), join(ROOT, '..', 'shared', 'datasets', 'ml-100k'));
if (!model) throw new Error('no ../shared/datasets/ml-100k: this bench runs on ML-100K');
const itemIds = model.itemIds();
const columns: { label: string; perEvent: Map<string, number>; foldIns: number; gc: GcTotals; events: number }[] = [];
for (let run = 1; run <= RUNS; run++)
  for (const build of builds) {
    const { registry } = scratchRegistry(model);
    const dbDir = mkdtempSync(join(tmpdir(), 'recs-bench-realtime-cpu-'));
    const gcFile = join(dbDir, 'gc.json');
    const api = await startApi(build.root, registry.root, null, { RECS_STORE: 'embedded', RECS_EVENTS_DB: join(dbDir, 'events.sqlite'), RECS_EVENTS_STORE: 'sqlite', ...gcProbeEnv(gcFile) }, 'api');
    try {
      const pid = api.proc.pid!;
      await writeEvents({ url: api.url, rate: 500, seconds: 2, itemIds, tag: 'warm' }); // the workers start, the code warms up
      await drained(api);
      await new Promise((r) => setTimeout(r, 500));
      const g0 = await readGc(gcFile);
      const a = threadCpu(pid);
      const s0 = await scrape(api.url);
      const w = await writeEvents({ url: api.url, rate: RATE, seconds: EVENTS / RATE, itemIds, tag: `run${run}` });
      await drained(api);
      const b = threadCpu(pid);
      const s1 = await scrape(api.url);
      const gc = gcBetween(g0, await readGc(gcFile));
      const foldIns = value(s1, 'recs_foldins_total') - value(s0, 'recs_foldins_total');
      const batches = value(s1, 'recs_foldin_batches_total') - value(s0, 'recs_foldin_batches_total');
      const perEvent = new Map([...cpuBetween(a, b)].map(([name, ns]) => [name, ns / 1000 / w.acked]));
      columns.push({ label: `${build.label} ${run}`, perEvent, foldIns, gc, events: w.acked });
      console.log(
        `${build.label} ${run}: ${w.acked.toLocaleString('en')} events acknowledged of ${w.offered.toLocaleString('en')} offered (${w.failed} not sent, ${w.refused} refused), ${foldIns.toLocaleString('en')} fold-ins in ${batches.toLocaleString('en')} batches`,
      );
    } finally {
      await api.stop();
      rmSync(dbDir, { recursive: true, force: true });
      rmSync(join(registry.root, '..'), { recursive: true, force: true });
    }
  }
const names = [...new Set(columns.flatMap((c) => [...c.perEvent.keys()]))].sort();
console.log(`\nµs of CPU per event (ML-100K, ${EVENTS.toLocaleString('en')} events for distinct new users at ${RATE.toLocaleString('en')}/s offered, no readers):`);
console.log(`| thread | ${columns.map((c) => c.label).join(' | ')} |`);
console.log(`| --- | ${columns.map(() => '---:').join(' | ')} |`);
for (const n of names) console.log(`| ${n} | ${columns.map((c) => (c.perEvent.get(n) ?? 0).toFixed(1)).join(' | ')} |`);
console.log(`| all | ${columns.map((c) => [...c.perEvent.values()].reduce((x, y) => x + y, 0).toFixed(1)).join(' | ')} |`);
console.log(`\nthe request thread's garbage-collection pauses over the same runs (count, ms in all; per 1,000 events):`);
console.log(`| pauses | ${columns.map((c) => c.label).join(' | ')} |`);
console.log(`| --- | ${columns.map(() => '---:').join(' | ')} |`);
for (const [kind, label] of [
  ['minor', 'scavenges'],
  ['major', 'mark-compacts'],
  ['incremental', 'incremental marking'],
] as const)
  console.log(`| ${label} | ${columns.map((c) => `${c.gc[kind].count}, ${c.gc[kind].ms.toFixed(1)} ms (${((1000 * c.gc[kind].ms) / c.events).toFixed(2)})`).join(' | ')} |`);
console.log(`| all pauses, ms per 1,000 events | ${columns.map((c) => ((1000 * (c.gc.minor.ms + c.gc.major.ms + c.gc.incremental.ms)) / c.events).toFixed(2)).join(' | ')} |`);
