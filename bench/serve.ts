// `pnpm bench` (node dist/bench/serve.js): the serving load test. For each model (a synthetic one
// with ≥ 1M users, and ML-100k when ../shared/datasets/ml-100k exists, both built once and cached
// under .cache/bench-models; or the registry given by --models-dir) it starts the API (the
// compiled `serve` entry, embedded store, API key on) and a bare uWebSockets.js endpoint answering
// a JSON body of the API's mean response size, each a child process; then, for autocannon and
// (when installed) wrk, warms each up and loads it with the same requests: 200 connections,
// users drawn from a Zipf distribution over the known users plus 5 % unknown users. It prints
// requests/s, latency percentiles, errors and non-2xx, CPU time per request of the processes under
// test (./serve/cpu.ts), the API/bare ratio and PASS/FAIL against
// the reference and project targets, and writes serve.json and serve.md to --out. The measured
// time is split into rounds alternating between the endpoints (the machine is shared, and what
// else runs on it changes by the second).
// With --stores it also serves from remote stores in the same run (./serve/targets.ts): the API on
// Redis with its in-process cache off and warm, on Cosmos DB (the @vercel/cosmosdb-server test
// double, a small user set), and a bare uWS + ioredis GET endpoint as the Redis baseline; each is
// judged against its target (Redis ≥ 90 % of bare uWS + ioredis, warm cache close to embedded).
//
// Usage: pnpm bench [--duration 60] [--round 10] [--warmup 5] [--connections 200] [--models synthetic,ml-100k]
//                   [--users 1000000] [--models-dir DIR] [--ml-dir DIR] [--no-wrk] [--no-auth] [--experiment]
//                   [--stores embedded,redis,redis-cached,cosmos | all] [--cosmos-users 1000]
//                   [--cache-entries 100000] [--out bench/results]
//   e.g. pnpm bench --models synthetic --stores all --duration 10 --round 5 --warmup 3
// With --url it load-tests a running target instead (./load/main.ts: open loop, scenarios, knee).

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalRegistry } from '../ts/model/registry.js';
import { readManifest } from '../ts/model/artifact.js';
import { describeHardware, hardware } from './hardware.js';
import { markdownTable, textTable } from './table.js';
import { runAutocannon } from './serve/autocannon.js';
import { startApi, startBare, type Running } from './serve/children.js';
import { merge, type LoadResult, type LoadRun } from './serve/load.js';
import { movieLensModel, syntheticModel, type BenchModel } from './serve/models.js';
import { HEADER, judge, judgeStores, rows, storeVerdictLine, verdictLine, type StoreVerdict, type Verdict } from './serve/report.js';
import { parseStores, prewarm, startStoreEndpoints, STORE_TARGETS, type Endpoint, type StoreEndpoints, type StoreTarget } from './serve/targets.js';
import { applyCorePlan } from './serve/cores.js';
import { cpuSecondsOf } from './serve/cpu.js';
import { recommendationPaths } from './serve/urls.js';
import { runWrk, wrkVersion } from './serve/wrk.js';
import { targetMain } from './load/main.js';
import { packageRoot } from '../ts/util/package-root.js';
import { withExperiment } from './serve/experiment.js';
import { sampleBodySize } from './serve/body-size.js';

const ROOT = packageRoot();

const HELP = `pnpm bench [options]   (node dist/bench/serve.js after pnpm build:ts)

Load test of the recommendation API against a bare uWebSockets.js endpoint, same machine, same run.
Prints requests/s, latency percentiles, errors, non-2xx, bytes and CPU µs per response (user +
system time of the server and its local store, from /proc) for each endpoint and tool, and
PASS/FAIL against the reference and project targets.

  --duration S        measured seconds per endpoint and tool (default 60), split into rounds that
                      alternate between the endpoints (ABBA…), so load from other processes on the
                      machine weighs on all alike
  --round S           seconds per round (default 10)
  --warmup S          seconds of load before each measured run, not counted (default 5)
  --connections N     concurrent connections (default 200)
  --models LIST       synthetic, ml-100k (default: both, ml-100k when --ml-dir exists)
  --users N           users of the synthetic model (default 1000000)
  --models-dir DIR    benchmark this registry's active model instead
  --ml-dir DIR        unzipped ML-100k (default ../shared/datasets/ml-100k)
  --paths N           request paths generated (default 100000)
  --experiment        serve through a running A/A experiment (the model under two variant names:
                      the hash per request, the variant's own copy of the model, the variant
                      named in each answer); the API is still judged against bare uWS
  --no-wrk            autocannon only (wrk runs when the \`wrk\` command exists)
  --no-auth           run the API without an API key (default: key required and sent)
  --no-pin            leave cores unpinned (default with ≥ 2 cores and taskset: the servers under
                      test and their stores on the last core, autocannon and wrk on the others)
  --stores LIST       serve from these stores too, in the same run (default: embedded only):
                        embedded       the API on the embedded store (always run, with bare uWS)
                        redis          the API on Redis, in-process cache off (every request reads
                                       Redis; the reads of one event-loop turn go as one MGET),
                                       judged against a bare uWS endpoint doing one ioredis GET
                                       per request (≥ 90 %)
                        redis-cached   the API on Redis, in-process cache on and warmed first (every
                                       distinct user of the request mix asked once), judged
                                       against the embedded store (≥ 90 %)
                        cosmos         the API on Cosmos DB, cache off, against @vercel/cosmosdb-server
                                       (a full-scan test double, not Azure: no target)
                      or "all". Starts its own redis-server (/usr/bin/redis-server) and Cosmos test
                      server and bulk-loads the model into them first (1M users: 15 s on a quiet
                      machine, over a minute on a busy one).
  --cosmos-users N    users loaded into and requested from the Cosmos test server (default 1000)
  --cache-entries N   in-process cache size of redis-cached (default 100000)
  --out DIR           where serve.json and serve.md go (default bench/results)`;

interface ModelRun {
  model: BenchModel;
  bodyBytes: number;
  results: LoadResult[];
  verdicts: Verdict[];
  server: Record<string, number>;
  /** /metrics figures of every API process, by endpoint id. */
  servers: Record<string, Record<string, number>>;
  labels: Record<string, string>;
  storeVerdicts: StoreVerdict[];
  notes: string[];
}

const TARGET_ONLY = ['--url', '--rate', '--scenario', '--find-knee', '--slo'];

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const targetFlag = argv.find((a) => TARGET_ONLY.includes(a.split('=')[0]!));
  if (targetFlag) {
    if (!argv.some((a) => a.split('=')[0] === '--url'))
      throw new Error(`${targetFlag.split('=')[0]} needs --url: start \`recs serve\` (or use a deployment) and point --url at it; without --url the bench runs its own A/B servers`);
    process.exitCode = await targetMain(argv, ROOT);
    return;
  }
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '60' },
      round: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '5' },
      connections: { type: 'string', default: '200' },
      models: { type: 'string' },
      users: { type: 'string', default: '1000000' },
      'models-dir': { type: 'string' },
      'ml-dir': { type: 'string', default: join(ROOT, '..', 'shared', 'datasets', 'ml-100k') },
      paths: { type: 'string', default: '100000' },
      'no-wrk': { type: 'boolean' },
      'no-auth': { type: 'boolean' },
      'no-pin': { type: 'boolean' },
      experiment: { type: 'boolean' },
      stores: { type: 'string', default: 'embedded' },
      'cosmos-users': { type: 'string', default: '1000' },
      'cache-entries': { type: 'string', default: '100000' },
      out: { type: 'string', default: join(ROOT, 'bench', 'results') },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return console.log(`${HELP}\n\nWith --url: the load test of a running target (pnpm bench --url URL --help).`);
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);
  const connections = Number(values.connections);
  const wrk = values['no-wrk'] ? null : wrkVersion();
  const apiKey = values['no-auth'] ? null : randomBytes(16).toString('hex');
  const stores: StoreTarget[] = values.stores === 'all' ? [...STORE_TARGETS] : parseStores(values.stores);
  const cosmosUsers = positive('cosmos-users', values['cosmos-users']);
  const cacheEntries = positive('cache-entries', values['cache-entries']);
  const hw = hardware();
  const cores = applyCorePlan(!values['no-pin']);
  console.log(
    `bench: ${describeHardware(hw)}; ${connections} connections, ${duration} s per run (+${warmup} s warm-up); ${wrk ?? (values['no-wrk'] ? 'wrk off (--no-wrk)' : 'wrk not installed (apt-get install wrk)')}; ${cores.note}`,
  );

  const picked = await pickModels(values['models-dir'], values.models, Number(values.users), values['ml-dir']);
  const models = values.experiment ? await Promise.all(picked.map(withExperiment)) : picked;
  const runs: ModelRun[] = [];
  for (const model of models)
    runs.push(await benchModel(model, { duration, round: Number(values.round), warmup, connections, wrk: wrk !== null, apiKey, nPaths: Number(values.paths), stores, cosmosUsers, cacheEntries }));

  const tableRows = runs.flatMap((r) => rows(r.model.name, r.results, r.labels));
  console.log('\n' + textTable(HEADER, tableRows) + '\n');
  const verdicts = runs.flatMap((r) => r.verdicts);
  for (const v of verdicts) console.log(verdictLine(v));
  const storeLines = runs.flatMap((r) => r.storeVerdicts.map((v) => storeVerdictLine(v, r.labels)));
  const serverLines = runs.flatMap((r) =>
    Object.entries(r.servers).map(
      ([id, m]) => `${r.model.name} / ${r.labels[id]}: ${m['precomputed']} precomputed, ${m['fallback']} fallback answers, ${m['storeErrors']} store errors, RSS ${m['rssMiB']} MiB${cacheLine(m)}`,
    ),
  );
  for (const l of storeLines) console.log(l);
  if (stores.length > 0) for (const l of serverLines) console.log(l);

  mkdirSync(values.out, { recursive: true });
  const setup = `${connections} connections, ${duration} s per endpoint and tool in rounds of ≤ ${values.round} s alternating between the endpoints, after ${warmup} s of warm-up, API key ${apiKey ? 'required' : 'off'}; users Zipf(s = 1) over the known users + 5 % unknown users, k = 10; ${cores.note}`;
  const artifacts = runs.map(
    (r) =>
      `- ${r.model.name}: ${r.model.users.toLocaleString('en-US')} users, ${r.model.items.toLocaleString('en-US')} items, stored depth ${r.model.depth}, version ${r.model.version} (${r.model.modelsDir}); mean API body ${r.bodyBytes} bytes; server RSS ${r.server['rssMiB']} MiB${r.notes.map((n) => `\n  - ${n}`).join('')}`,
  );
  writeFileSync(
    join(values.out, 'serve.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        hardware: hw,
        duration,
        warmup,
        connections,
        auth: apiKey !== null,
        wrk,
        stores,
        runs: runs.map((r) => ({ ...r, model: { ...r.model, userIds: undefined, itemIds: undefined } })),
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(values.out, 'serve.md'),
    `Hardware: ${describeHardware(hw)}\n\nSetup: ${setup}.\n\nArtifacts:\n${artifacts.join('\n')}\n\n${markdownTable(HEADER, tableRows)}\n\n${verdicts.map((v) => `- ${verdictLine(v)}`).join('\n')}\n${[...storeLines, ...(stores.length > 0 ? serverLines : [])].map((l) => `- ${l}\n`).join('')}`,
  );
  console.log(`\nwrote ${join(values.out, 'serve.json')} and serve.md`);
}

async function pickModels(modelsDir: string | undefined, list: string | undefined, users: number, mlDir: string): Promise<BenchModel[]> {
  if (modelsDir) {
    const registry = new LocalRegistry(modelsDir);
    const version = registry.activeVersion();
    if (!version) throw new Error(`${modelsDir}: no active model`);
    const dir = registry.versionDir(version);
    const m = readManifest(dir);
    const ids = (f: string) => () => JSON.parse(readFileSync(join(dir, f), 'utf8')) as string[];
    return [{ name: version, modelsDir, version, users: m.data.users, items: m.data.items, depth: m.topkDepth, userIds: ids('user-ids.json'), itemIds: ids('item-ids.json') }];
  }
  const cache = join(ROOT, '.cache', 'bench-models');
  const names = (list ?? 'synthetic,ml-100k').split(',');
  const out: BenchModel[] = [];
  if (names.includes('synthetic')) out.push(await syntheticModel(cache, users));
  if (names.includes('ml-100k')) {
    const ml = await movieLensModel(cache, mlDir);
    if (ml) out.push(ml);
    else console.log(`bench: ${mlDir} not found; skipping ML-100k`);
  }
  return out;
}

interface BenchOptions {
  duration: number;
  round: number;
  warmup: number;
  connections: number;
  wrk: boolean;
  apiKey: string | null;
  nPaths: number;
  stores: StoreTarget[];
  cosmosUsers: number;
  cacheEntries: number;
}

async function benchModel(model: BenchModel, o: BenchOptions): Promise<ModelRun> {
  const { paths } = recommendationPaths(model.userIds(), o.nPaths);
  console.log(`\n${model.name}: starting the API (loading ${model.users.toLocaleString('en-US')} users)…`);
  const t0 = performance.now();
  const api = await startApi(ROOT, model.modelsDir, o.apiKey);
  console.log(`${model.name}: API listening on ${api.url} after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const headers = o.apiKey ? { 'x-api-key': o.apiKey } : undefined;
  let bare: Running | null = null;
  let remote: StoreEndpoints | null = null;
  try {
    const bodyBytes = await sampleBodySize(api.url, paths.slice(0, 500), headers);
    bare = await startBare(ROOT, bodyBytes);
    remote = await startStoreEndpoints({
      root: ROOT,
      model,
      stores: o.stores,
      apiKey: o.apiKey,
      paths,
      nPaths: o.nPaths,
      cosmosUsers: o.cosmosUsers,
      cacheEntries: o.cacheEntries,
      log: (l) => console.log(l),
    });
    const endpoints: Endpoint[] = [
      { id: 'api', label: 'API (embedded store)', url: api.url, paths, api: true, pids: [api.proc.pid] },
      { id: 'bare', label: 'bare uWS', url: bare.url, paths, api: false, pids: [bare.proc.pid] },
      ...remote.endpoints,
    ];
    for (const e of endpoints.filter((e) => e.api && e.id !== 'api')) await sampleBodySize(e.url, e.paths.slice(0, 50), headers); // answers 200 before the load
    for (const e of endpoints.filter((e) => e.prewarm)) {
      const t = performance.now();
      const n = await prewarm(e, headers);
      console.log(`${model.name}: ${e.id}: cache warmed with ${n.toLocaleString('en-US')} distinct users in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const results: LoadResult[] = [];
    const tools: LoadResult['tool'][] = o.wrk ? ['autocannon', 'wrk'] : ['autocannon'];
    const rounds = Math.max(1, Math.round(o.duration / o.round));
    const names = endpoints.map((e) => e.id).join(', ');
    const storeErrorsByTool: Record<string, Record<string, number>> = {};
    for (const tool of tools) {
      const run = (e: Endpoint, seconds: number): Promise<LoadRun> =>
        tool === 'autocannon'
          ? runAutocannon({ url: e.url, target: e.id, paths: e.paths, connections: o.connections, seconds, ...(headers && { headers }) })
          : runWrk({ url: e.url, target: e.id, paths: e.paths, connections: o.connections, seconds, apiKey: o.apiKey });
      process.stderr.write(`${model.name}: ${tool}: warm-up ${o.warmup} s each, then ${rounds} round(s) of ${o.duration / rounds} s alternating ${names}…\n`);
      if (o.warmup > 0) for (const e of endpoints) await run(e, o.warmup);
      const errorsBefore = await storeErrorsOf(endpoints);
      const runs: LoadRun[] = [];
      for (let i = 0; i < rounds; i++) {
        for (const e of i % 2 === 0 ? endpoints : [...endpoints].reverse()) {
          const cpu0 = cpuSecondsOf(e.pids);
          const r = await run(e, o.duration / rounds);
          r.cpuSeconds = cpuSecondsOf(e.pids) - cpu0;
          runs.push(r);
          process.stderr.write(`  ${e.id.padEnd(12)} ${Math.round(r.requests / r.seconds)} req/s, ${r.errors} errors, ${r.non2xx} non-2xx\n`);
        }
      }
      for (const e of endpoints) results.push(merge(runs.filter((r) => r.target === e.id)));
      // store errors during the measured rounds of this tool (a fallback answer is cheaper than a store read)
      const errorsAfter = await storeErrorsOf(endpoints);
      storeErrorsByTool[tool] = Object.fromEntries(Object.entries(errorsAfter).map(([id, n]) => [id, n - (errorsBefore[id] ?? 0)]));
    }
    const servers: Record<string, Record<string, number>> = {};
    for (const e of endpoints.filter((e) => e.api)) servers[e.id] = await serverMetrics(e.url);
    const verdicts = tools.map((t) =>
      judge(
        model.name,
        results.find((r) => r.tool === t && r.target === 'api')!,
        results.find((r) => r.tool === t && r.target === 'bare'),
      ),
    );
    const storeVerdicts = tools.flatMap((t) =>
      judgeStores(
        model.name,
        results.filter((r) => r.tool === t),
        storeErrorsByTool[t] ?? {},
      ),
    );
    const labels = Object.fromEntries(endpoints.map((e) => [e.id, e.label]));
    return { model, bodyBytes, results, verdicts, server: servers['api']!, servers, labels, storeVerdicts, notes: remote.notes };
  } finally {
    await Promise.all([api.stop(), bare?.stop(), remote?.stop()]);
  }
}

/** The cache's counters over the whole run (warm-ups included), when the API has a cache. */
function cacheLine(m: Record<string, number>): string {
  const hits = m['cacheHits']!;
  if (!Number.isFinite(hits)) return '';
  const lookups = hits + m['cacheMisses']! + m['cacheCoalesced']!;
  return `; cache: ${hits} hits (${((100 * hits) / Math.max(1, lookups)).toFixed(1)} %), ${m['cacheMisses']} misses, ${m['cacheCoalesced']} coalesced, ${m['cacheEvictions']} evictions`;
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

/** Mean body length of the API's answers to `paths` (all must be 200). */
async function storeErrorsOf(endpoints: Endpoint[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const e of endpoints.filter((e) => e.api)) out[e.id] = (await serverMetrics(e.url))['storeErrors']!;
  return out;
}

async function serverMetrics(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  return {
    precomputed: value(/^recs_recommendations_total\{source="precomputed"\} (\d+)/m),
    fallback: value(/^recs_recommendations_total\{source="fallback"\} (\d+)/m),
    storeErrors: [...text.matchAll(/^recs_store_errors_total\{[^}]*\} (\d+)/gm)].reduce((s, m) => s + Number(m[1]), 0),
    rssMiB: Math.round(value(/^recs_process_resident_memory_bytes (\d+)/m) / 2 ** 20),
    cacheHits: value(/^recs_store_cache_hits_total\{[^}]*\} (\d+)/m),
    cacheMisses: value(/^recs_store_cache_misses_total\{[^}]*\} (\d+)/m),
    cacheCoalesced: value(/^recs_store_cache_coalesced_total\{[^}]*\} (\d+)/m),
    cacheEvictions: value(/^recs_store_cache_evictions_total\{[^}]*\} (\d+)/m),
  };
}

try {
  await main();
} catch (e) {
  // a one-line error for what the user got wrong (options, scenario, target); a stack only for bugs
  if (!(e instanceof Error) || e instanceof TypeError || e instanceof RangeError) throw e;
  console.error(`bench: ${e.message}`);
  process.exitCode = 2;
}
