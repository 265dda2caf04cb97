// `pnpm bench:new-items`: how long from an event on an item the model has never seen to that item
// being recommendable, under read load. The real server (compiled `serve`, a child process, ML-100K
// when ../shared/datasets/ml-100k exists, else the synthetic model at --users) with a fresh event
// store; `--readers` concurrent keep-alive readers ask Zipf-drawn users' recommendations throughout.
// Per trial, a brand-new item gets 5 click events from 5 known users (none of the readers') in one POST; the time runs from
// sending the POST until GET /v1/items/{new}/similar answers 200 (the item has a vector: it is a
// candidate of lists and similar items), polled every millisecond. Printed: new item → recommendable
// p50/p99/max, and the readers' p50/p99 and requests/s in three phases of the same run (the machine
// is shared): readers only (no new item yet), readers while the trials write, and readers once every
// trial's item is there (no writes: what mixing the new items into lists costs readers).
//
// `--users N` serves a synthetic model of N users instead of ML-100K (a large one shows whether the
// first new item's fold-in, which builds the solver over every user's factors, stalls requests: the
// readers' max latency is printed per phase).
//
//   pnpm bench:new-items [--trials 200] [--readers 32] [--seconds 10] [--users 300000]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startApi } from './serve/children.js';
import { movieLensModel, syntheticModel } from './serve/models.js';
import { recommendationPaths } from './serve/urls.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..');
const KEY = 'bench-new-items-key-0123456789';

const { values: v } = parseArgs({
  options: { trials: { type: 'string' }, readers: { type: 'string' }, seconds: { type: 'string' }, users: { type: 'string' }, 'ml-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (v.help) {
  console.log(
    'node dist/bench/new-items.js [--trials 200] [--readers 32] [--seconds 10] [--users N] [--ml-dir DIR]\n' +
      "Event on a new item → item recommendable (p50/p99/max), and the readers' latency and throughput without, while and after the trials write.\n" +
      'ML-100K from --ml-dir (default ../shared/datasets/ml-100k) when it exists, else (or with --users N) a synthetic model of N users (default 100,000).',
  );
  process.exit(0);
}
const trials = Number(v.trials ?? 200);
const readers = Number(v.readers ?? 32);
const seconds = Number(v.seconds ?? 10);
const cacheRoot = join(ROOT, '.cache', 'bench-models');
const model =
  (v.users === undefined ? await movieLensModel(cacheRoot, v['ml-dir'] ?? join(ROOT, '..', 'shared', 'datasets', 'ml-100k')) : null) ?? (await syntheticModel(cacheRoot, Number(v.users ?? 100_000)));
const scratch = mkdtempSync(join(tmpdir(), 'recs-bench-new-items-'));
const api = await startApi(ROOT, model.modelsDir, KEY, { RECS_STORE: 'embedded', RECS_EVENTS_DB: join(scratch, 'events.sqlite') });
const headers = { 'x-api-key': KEY };
// readers ask for the first half of the users, the trials' events come from the second half, and
// before any phase every other distinct reader user (2,000 at most) sends a click on a known item:
// the readers are the same mix of fold-in and precomputed users in every phase, which then differ
// only by the new items present
const all = model.userIds();
const paths = recommendationPaths(all.slice(0, all.length >> 1), 20_000, { seed: 5 }).paths;
const users = all.slice(all.length >> 1);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

/** Readers until `stop()`; resolves with their latencies (ms). */
function readLoad(): { stop: () => Promise<number[]> } {
  let running = true;
  const lat: number[] = [];
  let n = 0;
  const one = async () => {
    while (running) {
      const t = performance.now();
      const r = await fetch(api.url + paths[n++ % paths.length], { headers });
      await r.arrayBuffer();
      lat.push(performance.now() - t);
    }
  };
  const all = Promise.all(Array.from({ length: readers }, one));
  return {
    stop: async () => {
      running = false;
      await all;
      return lat;
    },
  };
}

try {
  console.log(`bench: new items on ${model.name} (${model.users} users, ${model.items} items), ${readers} readers, ${trials} trials`);
  const readerIds = [...new Set(paths.map((p) => decodeURIComponent(p.split('/')[3]!)))].filter((u, i) => i % 2 === 0 && !u.startsWith('unknown-')).slice(0, 2000);
  const known = model.itemIds();
  for (let at = 0; at < readerIds.length; at += 500) {
    const batch = readerIds.slice(at, at + 500).map((userId, i) => ({ eventId: `bench-reader-${process.pid}-${at + i}`, userId, itemId: known[(at + i) % 50]!, type: 'click' }));
    const r = await fetch(`${api.url}/v1/events`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    if (r.status !== 202) throw new Error(`POST /v1/events: ${r.status} ${await r.text()}`);
  }
  console.log(`bench: ${readerIds.length} of the readers' users folded in from one click each (fold-in readers in every phase)`);
  const warm = readLoad(); // JIT, connections, the model's pages in memory, the fold-ins above: not measured
  await new Promise((r) => setTimeout(r, Math.max(2, seconds) * 1000));
  await warm.stop();
  const base = readLoad();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const baseline = await base.stop();
  const load = readLoad();
  const visible: number[] = [];
  for (let t = 0; t < trials; t++) {
    const itemId = `bench-new-${process.pid}-${t}`;
    const events = Array.from({ length: 5 }, (_, i) => ({ eventId: `${itemId}-${i}`, userId: users[(t * 37 + i * 101) % users.length]!, itemId, type: 'click' }));
    const t0 = performance.now();
    const r = await fetch(`${api.url}/v1/events`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(events) });
    if (r.status !== 202) throw new Error(`POST /v1/events: ${r.status} ${await r.text()}`);
    for (;;) {
      const s = await fetch(`${api.url}/v1/items/${itemId}/similar?k=10`, { headers });
      await s.arrayBuffer();
      if (s.status === 200) break;
      if (performance.now() - t0 > 10_000) throw new Error(`${itemId}: not recommendable after 10 s`);
      await new Promise((res) => setTimeout(res, 1));
    }
    visible.push(performance.now() - t0);
  }
  const loaded = await load.stop();
  const after = readLoad();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const withNew = await after.stop();
  const rate = (n: number) => `${(n / seconds).toFixed(0)} req/s`;
  const max = (xs: number[]) => fmt(xs.reduce((a, b) => Math.max(a, b), 0));
  console.log(
    `new item → recommendable (POST of 5 events sent → similar items 200): p50 ${fmt(quantile(visible, 0.5))}, p99 ${fmt(quantile(visible, 0.99))}, max ${fmt(Math.max(...visible))} over ${visible.length} items (the first: ${fmt(visible[0]!)})`,
  );
  console.log(
    `readers, no new items:               p50 ${fmt(quantile(baseline, 0.5))}, p99 ${fmt(quantile(baseline, 0.99))}, max ${max(baseline)}, ${rate(baseline.length)} (${baseline.length} requests)`,
  );
  console.log(`readers, while the trials write:     p50 ${fmt(quantile(loaded, 0.5))}, p99 ${fmt(quantile(loaded, 0.99))}, max ${max(loaded)} (${loaded.length} requests)`);
  console.log(
    `readers, ${visible.length} new items present:      p50 ${fmt(quantile(withNew, 0.5))}, p99 ${fmt(quantile(withNew, 0.99))}, max ${max(withNew)}, ${rate(withNew.length)} (${withNew.length} requests)`,
  );
  console.log(`new items' cost to readers: p99 ×${(quantile(withNew, 0.99) / quantile(baseline, 0.99)).toFixed(2)}, throughput ×${(withNew.length / baseline.length).toFixed(2)}`);
} finally {
  await api.stop();
  rmSync(scratch, { recursive: true, force: true });
}
