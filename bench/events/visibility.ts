// Benchmark of issue 6's third target: "an event is visible in that user's recommendations within
// 50 ms at p99 of its acknowledgement, under 200 concurrent readers". The real server (the compiled
// `serve` entry, a child process) serves the synthetic benchmark model (1M users, 3,000 items,
// bench/serve/models.ts) with a fresh SQLite event store. A writer POSTs one event for a brand-new
// user, takes the 202 as the acknowledgement, then GETs that user's recommendations back to back
// until one answers with source "foldin"; ack → that answer is the event's visibility latency (it
// includes the last GET's round trip, so it is an upper bound). Measured twice in the same run:
// with no other traffic (the baseline) and while wrk keeps 200 connections reading
// recommendations of known users (Zipf mix, 5 % unknown users) as fast as the server answers
// (a closed loop: the server is saturated, the worst case for the GET round trip). Beside the
// client-side figures, the server's own histogram recs_event_visible_seconds (from the 202 being
// written to the fold-in list being served, no GET round trip) gives the share of events visible
// within 50 ms in each phase.
//
//   pnpm build:ts && node dist/bench/events/visibility.js [--events 200] [--readers 200] [--seconds 20]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi, type Running } from '../serve/children.js';
import { merge } from '../serve/load.js';
import { syntheticModel } from '../serve/models.js';
import { recommendationPaths } from '../serve/urls.js';
import { runWrk, wrkVersion } from '../serve/wrk.js';
import { packageRoot } from '../../ts/util/package-root.js';

const TARGET_P99_MS = 50;
const ROOT = packageRoot();
const args = process.argv.slice(2);
const USAGE = 'pnpm bench:visibility [--events 200] [--readers 200] [--seconds 20]  (wrk from Debian is needed for the readers)';
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const known = new Set(['--events', '--readers', '--seconds']);
for (let i = 0; i < args.length; i += 2) {
  if (!known.has(args[i]!) || args[i + 1] === undefined || !Number.isFinite(Number(args[i + 1]))) {
    console.error(`bench:visibility: unexpected argument "${args[i]}" (or its value)\n${USAGE}`);
    process.exit(2);
  }
}
const flag = (name: string, d: number): number => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : d;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, got "${args[i + 1]}"`);
  return v;
};
const EVENTS = flag('--events', 200);
const READERS = flag('--readers', 200);
const SECONDS = flag('--seconds', 20);

const pct = (xs: readonly number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

interface Visibility {
  condition: string;
  /** Server side: events folded in within 50 ms of the ack, and all events folded in, in this phase. */
  server: { within50: number; count: number };
  latencies: number[];
  /** GETs the writer sent before the fold-in showed. */
  polls: number;
  slowestAck: number;
}

/** Sends events for fresh users one at a time; stops after `n` events or when `until()` says so. */
async function serverHistogram(api: Running): Promise<{ within50: number; count: number }> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const read = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  return { within50: read(/^recs_event_visible_seconds_bucket\{le="0\.05"\} (\S+)$/m), count: read(/^recs_event_visible_seconds_count (\S+)$/m) };
}

async function measure(api: Running, condition: string, itemIds: readonly string[], n: number, tag: string, until = () => false): Promise<Visibility> {
  const before = await serverHistogram(api);
  const latencies: number[] = [];
  let polls = 0;
  let slowestAck = 0;
  for (let i = 0; i < n && !until(); i++) {
    const userId = `vis-${tag}-${i}-${Date.now().toString(36)}`;
    const body = JSON.stringify({ eventId: `${userId}-e`, userId, itemId: itemIds[(i * 7919) % itemIds.length], type: 'like' });
    const sent = performance.now();
    const r = await fetch(`${api.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await r.arrayBuffer();
    const acked = performance.now();
    if (r.status !== 202) throw new Error(`POST /v1/events answered ${r.status}`);
    slowestAck = Math.max(slowestAck, acked - sent);
    for (;;) {
      polls++;
      const g = await fetch(`${api.url}/v1/users/${encodeURIComponent(userId)}/recommendations?k=10`);
      const j = (await g.json()) as { source?: string };
      if (j.source === 'foldin') break;
      if (performance.now() - acked > 10_000) throw new Error(`${userId}: not visible 10 s after its acknowledgement`);
    }
    latencies.push(performance.now() - acked);
  }
  const after = await serverHistogram(api);
  return { condition, latencies, polls, slowestAck, server: { within50: after.within50 - before.within50, count: after.count - before.count } };
}

const line = (v: Visibility) => {
  const p99 = pct(v.latencies, 99);
  return `${v.condition.padEnd(34)} ${String(v.latencies.length).padStart(6)} ${pct(v.latencies, 50).toFixed(2).padStart(8)} ${pct(v.latencies, 90).toFixed(2).padStart(8)} ${p99.toFixed(2).padStart(8)} ${Math.max(
    ...v.latencies,
  )
    .toFixed(2)
    .padStart(8)} ${(v.polls / v.latencies.length).toFixed(1).padStart(7)} ${((100 * v.server.within50) / v.server.count).toFixed(1).padStart(12)}   ${p99 <= TARGET_P99_MS ? 'PASS' : 'FAIL'}`;
};

if (!wrkVersion()) throw new Error('wrk is not installed (Debian: apt-get install wrk); it drives the 200 readers');
const model = await syntheticModel(join(ROOT, '.cache', 'bench-models'));
const dbDir = mkdtempSync(join(tmpdir(), 'recs-bench-visibility-'));
const api = await startApi(ROOT, model.modelsDir, null, { RECS_STORE: 'embedded', RECS_EVENTS_DB: join(dbDir, 'events.sqlite'), RECS_EVENTS_STORE: 'sqlite' }, 'api');
try {
  const itemIds = model.itemIds();
  await measure(api, 'warm-up', itemIds, 20, 'warm');
  const baseline = await measure(api, 'no readers (baseline)', itemIds, EVENTS, 'base');

  const paths = recommendationPaths(model.userIds(), 50_000).paths;
  let readersDone = false;
  const readers = runWrk({ url: api.url, target: 'api', paths, connections: READERS, seconds: SECONDS }).finally(() => (readersDone = true));
  await new Promise((r) => setTimeout(r, 2_000)); // let the readers reach full speed
  const loaded = await measure(api, `${READERS} concurrent readers (wrk)`, itemIds, EVENTS, 'load', () => readersDone);
  const load = merge([await readers]);
  if (loaded.latencies.length < EVENTS) console.log(`note: the readers' ${SECONDS} s ran out after ${loaded.latencies.length} of ${EVENTS} events (raise --seconds)`);

  console.log(
    `event → visible in GET (source "foldin"), ms from the 202 to the first GET answering it; model ${model.name} (${model.users.toLocaleString('en')} users, ${model.items.toLocaleString('en')} items), SQLite WAL + synchronous=FULL`,
  );
  console.log(
    `${'condition'.padEnd(34)} ${'events'.padStart(6)} ${'p50'.padStart(8)} ${'p90'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)} ${'GETs/ev'.padStart(7)} ${'srv ≤50ms %'.padStart(12)}   target p99 ≤ ${TARGET_P99_MS} ms`,
  );
  console.log(line(baseline));
  console.log(line(loaded));
  console.log(
    `readers during the loaded run: ${Math.round(load.rps).toLocaleString('en')} req/s, p50 ${load.p50.toFixed(2)} ms, p99 ${load.p99.toFixed(2)} ms, errors ${load.errors}, non-2xx ${load.non2xx}`,
  );
  console.log(`slowest acknowledgement (POST round trip): baseline ${baseline.slowestAck.toFixed(2)} ms, with readers ${loaded.slowestAck.toFixed(2)} ms`);
} finally {
  await api.stop();
  rmSync(dbDir, { recursive: true, force: true });
}
