// Owns the batch benchmark: what one user costs the server through POST
// /v1/recommendations:batch (100 users a request) against single GETs, on the MovieLens 100K
// bench model with the embedded store, driven by wrk (one connection count for both, rounds
// alternating GET, batch, batch, GET…). Prints users/s and the server's CPU µs per user (user +
// system time from /proc), side by side.
// Usage: pnpm build:ts && node dist/bench/batch.js [--seconds S] [--rounds N] [--ml-dir DIR]

import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startApi } from './serve/children.js';
import { cpuSecondsOf } from './serve/cpu.js';
import { movieLensModel } from './serve/models.js';
import { runWrk, wrkVersion } from './serve/wrk.js';
import { packageRoot } from '../ts/util/package-root.js';

const ROOT = packageRoot();
const { values } = parseArgs({ options: { seconds: { type: 'string' }, rounds: { type: 'string' }, 'ml-dir': { type: 'string' }, connections: { type: 'string' } } });
const seconds = Number(values.seconds ?? 10);
const rounds = Number(values.rounds ?? 2);
const connections = Number(values.connections ?? 50);
const BATCH = 100;

/** One wrk run of `lines` (GET paths, or batch bodies POSTed): requests, errors (non-2xx included) and the p99 of a request. */
async function wrk(url: string, lines: string[], method: 'GET' | 'POST'): Promise<{ requests: number; errors: number; p99Ms: number }> {
  const run = await runWrk({ url, target: 'api', paths: lines, request: method === 'GET' ? { method } : { method, path: '/v1/recommendations:batch' }, connections, seconds });
  // points[i] is the latency quantile (i + 1) / 10 − 0.05 %: the 99th percentile lies between 98.95 and 99.05
  return { requests: run.requests, errors: run.errors + run.non2xx, p99Ms: (run.points[989]! + run.points[990]!) / 2 };
}

if (!wrkVersion()) throw new Error('bench:batch needs wrk (apt-get install wrk)');
const model = await movieLensModel(join(ROOT, '.cache', 'bench-models'), values['ml-dir'] ?? resolve(ROOT, '..', 'shared', 'datasets', 'ml-100k'));
if (!model) throw new Error('bench:batch needs MovieLens 100K (--ml-dir DIR)');
const users = model.userIds();
const api = await startApi(ROOT, model.modelsDir, null);
const pick = (n: number) => Array.from({ length: n }, () => users[Math.floor(Math.random() * users.length)]!);
const gets = pick(20_000).map((u) => `/v1/users/${encodeURIComponent(u)}/recommendations?k=10`);
const batches = Array.from({ length: 500 }, () => JSON.stringify({ userIds: pick(BATCH), k: 10 }));
const total = { get: { users: 0, cpu: 0, seconds: 0, errors: 0, p99: 0 }, batch: { users: 0, cpu: 0, seconds: 0, errors: 0, p99: 0 } };
try {
  await wrk(api.url, gets, 'GET'); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const kind of r % 2 === 0 ? (['get', 'batch'] as const) : (['batch', 'get'] as const)) {
      const cpu0 = cpuSecondsOf([api.proc.pid]);
      const w = kind === 'get' ? await wrk(api.url, gets, 'GET') : await wrk(api.url, batches, 'POST');
      const t = total[kind];
      t.cpu += cpuSecondsOf([api.proc.pid]) - cpu0;
      t.users += w.requests * (kind === 'get' ? 1 : BATCH);
      t.seconds += seconds;
      t.errors += w.errors;
      t.p99 = Math.max(t.p99, w.p99Ms);
      console.log(`  ${kind.padEnd(5)} ${Math.round((w.requests * (kind === 'get' ? 1 : BATCH)) / seconds)} users/s, ${w.errors} errors`);
    }
  }
} finally {
  await api.stop();
}
console.log(`\nMovieLens 100K, embedded store, k = 10, wrk ${connections} connections, ${rounds} × ${seconds} s each\n`);
console.log('| request | users/s | CPU µs per user | worst p99 ms (per request) | errors |\n| --- | ---: | ---: | ---: | ---: |');
for (const [name, t] of [
  ['single GET', total.get],
  [`batch of ${BATCH}`, total.batch],
] as const) {
  console.log(`| ${name} | ${Math.round(t.users / t.seconds).toLocaleString('en')} | ${((t.cpu / t.users) * 1e6).toFixed(1)} | ${t.p99.toFixed(1)} | ${t.errors} |`);
}
console.log(`\nper-user CPU, batch / single: ${(total.batch.cpu / total.batch.users / (total.get.cpu / total.get.users)).toFixed(2)}`);
