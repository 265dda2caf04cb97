// `node dist/bench/spark-scale.js`: the serving half of "train on Spark, serve here" at scale. A
// synthetic ALSModel (default 1,000,000 users × 20,000 items × rank 64, random factors) is written in
// Spark's layout, then each step runs in its own process (so its peak RSS is its own):
//
//   import     recs import spark: read both factor tables (Parquet, streamed), top-30 of every user,
//              write the artifact; beside it, the baseline: reading the same factors from the
//              artifact this project writes (readArtifact)
//   score      recs score --shard i --shards S for i = 0 and S - 1 (as the Kubernetes Indexed Job's
//              pods do), and the whole table in one shard for comparison
//   load       recs load into the Cosmos DB test double (@vercel/cosmosdb-server: its full-scan
//              storage bounds it, so its users/s is the loader's overhead, not Azure's) for the
//              first --cosmos-users users
//
// With --direct the artifact is written straight to disk (bench/synthetic-artifact.ts: no Spark
// model, no import, so 10M users fit in the memory a shard has) and only score (the shards of
// --score-shards) and a sample of one shard's Cosmos DB load run: the 10M-user figures.
//
// Prints seconds, users/s and peak RSS per step and writes spark-scale.json / .md to --out.
//
// Usage: node dist/bench/spark-scale.js [--users 1000000] [--items 20000] [--rank 64] [--shards 4]
//                                       [--cosmos-users 5000] [--out bench/results] [--keep DIR] [--hashed]

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../ts/data/random.js';
import { loadEngine } from '../ts/engine/index.js';
import { readArtifact } from '../ts/model/artifact.js';
import { silentProgress } from '../ts/model/pipeline/progress.js';
import { LocalRegistry } from '../ts/model/registry.js';
import { readArtifactSlice } from '../ts/model/artifact-slice.js';
import { scoreShard, shardRange } from '../ts/model/lifecycle/score.js';
import { importSparkModel } from '../ts/model/spark/import.js';
import { writeFactorPart, writeTextDir } from '../ts/model/spark/testing/write-spark-model.js';
import { tableOfArtifact } from '../ts/store/load-table.js';
import { loadIntoCosmosDouble } from './cosmos-double.js';
import { writeSyntheticArtifact } from './synthetic-artifact.js';
import { describeHardware, hardware } from './hardware.js';
import { markdownTable, textTable } from './table.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..');
const SELF = fileURLToPath(import.meta.url);

interface StepResult {
  step: string;
  users: number;
  seconds: number;
  peakRssMiB: number;
  note: string;
}

const peak = () => Math.round(process.resourceUsage().maxRSS / 1024);
const since = (t: number) => (performance.now() - t) / 1000;

/**
 * Random factors in Spark's layout, 65,536 rows per part file (Spark writes one file per partition).
 * `hashed`: the user ids of part p are p, p + P, p + 2P, … (P parts), each file in id order, as
 * Spark's ALS writes them (its blocks partition ids by hash); else part p holds one range of ids.
 */
function makeModel(dir: string, users: number, items: number, rank: number, hashed = false): void {
  const rng = new Rng(7);
  const job = randomUUID();
  const write = (name: string, n: number) => {
    const per = 65_536;
    const parts = Math.ceil(n / per);
    for (let p = 0; p < parts; p++) {
      const lo = p * per;
      const hi = Math.min(n, lo + per);
      const f = new Float32Array((hi - lo) * rank);
      for (let i = 0; i < f.length; i++) f[i] = (rng.nextFloat() - 0.5) * 0.6;
      writeFactorPart(
        join(dir, name),
        p,
        job,
        Int32Array.from({ length: hi - lo }, (_, i) => (hashed && name === 'userFactors' ? p + i * parts : lo + i)),
        f,
        rank,
        16_384,
      );
    }
    writeFileSync(join(dir, name, '_SUCCESS'), '');
  };
  write('userFactors', users);
  write('itemFactors', items);
  writeTextDir(
    join(dir, 'metadata'),
    JSON.stringify({
      class: 'org.apache.spark.ml.recommendation.ALSModel',
      timestamp: Date.now(),
      sparkVersion: '3.5.0',
      uid: 'ALS_bench',
      paramMap: {},
      defaultParamMap: { userCol: 'user', itemCol: 'item' },
      rank,
    }) + '\n',
  );
}

async function step(name: string, a: Record<string, string>): Promise<StepResult> {
  const engine = loadEngine();
  const registry = new LocalRegistry(a.models!);
  if (name === 'import') {
    const t = performance.now();
    const r = await importSparkModel(engine, { modelDir: a.model!, k: 10, depth: 30, modelsDir: a.models!, activate: true, gate: null }, silentProgress);
    const s = since(t);
    const m = r.manifest.timings;
    return {
      step: 'import (read Parquet + top-30 + write)',
      users: r.manifest.data.users,
      seconds: s,
      peakRssMiB: peak(),
      note: `read user ids ${m.readUsers} s, items ${m.readItems} s, users streamed (read + top-k + write) ${m.topk} s, the rest written ${m.write} s`,
    };
  }
  const version = registry.activeVersion()!;
  if (name === 'read-artifact') {
    const t = performance.now();
    const art = readArtifact(registry.versionDir(version));
    return { step: 'baseline: read the same factors from the artifact', users: art.userIds.length, seconds: since(t), peakRssMiB: peak(), note: 'readArtifact, checksums verified' };
  }
  if (name === 'score') {
    const shard = Number(a.shard);
    const shards = Number(a.shards);
    const t = performance.now();
    const r = await scoreShard(registry, { shard, shards, k: 10, out: join(a.models!, '..', `shard-${shard}.jsonl`) });
    return {
      step: `score shard ${shard} of ${shards}`,
      users: r.users,
      seconds: since(t),
      peakRssMiB: peak(),
      note: `users ${r.first}…${r.end - 1}, top-10 JSON lines; read ${r.seconds.read.toFixed(1)} s (checksums streamed), write ${r.seconds.write.toFixed(1)} s`,
    };
  }
  if (name === 'score-whole-read') {
    // the baseline: the score path before ranged reads (the whole artifact read and verified, the
    // shard's lines held in memory, then written at once)
    const shard = Number(a.shard);
    const shards = Number(a.shards);
    const t = performance.now();
    const art = readArtifact(registry.versionDir(version), { verify: true });
    const [first, end] = shardRange(art.userIds.length, shard, shards);
    const d = art.topk.depth;
    const lines: string[] = [];
    for (let u = first; u < end; u++) {
      const items: Array<{ itemId: string; score: number }> = [];
      for (let j = 0; j < 10 && art.topk.items[u * d + j] !== 0xffffffff; j++) items.push({ itemId: art.itemIds[art.topk.items[u * d + j]!]!, score: art.topk.scores[u * d + j]! });
      lines.push(JSON.stringify({ userId: art.userIds[u]!, modelVersion: version, items }));
    }
    writeFileSync(join(a.models!, '..', `old-shard-${shard}.jsonl`), lines.join('\n') + '\n');
    return { step: `baseline: score shard ${shard} of ${shards}, whole-artifact read`, users: end - first, seconds: since(t), peakRssMiB: peak(), note: 'the path before ranged reads' };
  }
  if (name === 'load-cosmos-shard') {
    // what `recs load --shard I --shards N` reads (its rows of the artifact), then a sample of it
    // loaded into the double through the sharded path (upsert, count the version, no flip yet)
    const shard = Number(a.shard);
    const shards = Number(a.shards);
    const t = performance.now();
    const s = readArtifactSlice(registry.versionDir(version), (n) => shardRange(n, shard, shards));
    const readSeconds = since(t);
    const n = Math.min(Number(a.users), s.userIds.length);
    const full = tableOfArtifact(s, { index: shard, count: shards, totalUsers: s.nUsers });
    const table = { ...full, userIds: full.userIds.slice(0, n), items: full.items.subarray(0, n * full.depth), scores: full.scores.subarray(0, n * full.depth) };
    const r = await loadIntoCosmosDouble(table);
    const items = Array.from({ length: table.depth }, (_, j) => ({ itemId: full.itemIds[table.items[j]!]!, score: table.scores[j]! }));
    const bytes = Buffer.byteLength(JSON.stringify({ id: `${version}:${table.userIds[0]}`, userId: table.userIds[0], modelVersion: version, items }));
    return {
      step: `load shard ${shard} of ${shards} into Cosmos DB (test double): a sample`,
      users: n,
      seconds: r.seconds,
      peakRssMiB: peak(),
      note: `read the shard's ${s.userIds.length} users in ${readSeconds.toFixed(1)} s, loaded its first ${n}; ${r.switched ? 'switched' : `pointer unchanged (${r.progress})`}; depth ${table.depth}, ${bytes} B per document; ${Math.round(r.requestCharge)} RU reported by the double`,
    };
  }
  if (name === 'load-cosmos') {
    const n = Number(a.users);
    const full = tableOfArtifact(readArtifact(registry.versionDir(version)));
    const table = { ...full, userIds: full.userIds.slice(0, n), items: full.items.subarray(0, n * full.depth), scores: full.scores.subarray(0, n * full.depth) };
    const r = await loadIntoCosmosDouble(table);
    // The document cosmos-load.ts writes for the first user (ts/store/cosmos-docs.ts's layout).
    const items = Array.from({ length: table.depth }, (_, j) => ({ itemId: full.itemIds[table.items[j]!]!, score: table.scores[j]! }));
    const bytes = Buffer.byteLength(JSON.stringify({ id: `${version}:${table.userIds[0]}`, userId: table.userIds[0], modelVersion: version, items }));
    return {
      step: 'load into Cosmos DB (test double)',
      users: n,
      seconds: r.seconds,
      peakRssMiB: peak(),
      note: `depth ${table.depth}, about ${bytes} B per document; ${Math.round(r.requestCharge)} RU reported by the double`,
    };
  }
  throw new Error(`unknown step ${name}`);
}

function run(name: string, a: Record<string, string>): StepResult {
  const args = [SELF, '--step', name, ...Object.entries(a).flatMap(([k, v]) => [`--${k}`, v])];
  const p = spawnSync(process.execPath, ['--max-old-space-size=5632', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = p.stdout.trim().split('\n').at(-1) ?? '';
  if (p.status !== 0 || !line.startsWith('{')) throw new Error(`step ${name} failed (${p.status}): ${p.stderr.slice(-2000)}`);
  return JSON.parse(line) as StepResult;
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      step: { type: 'string' },
      users: { type: 'string', default: '1000000' },
      items: { type: 'string', default: '20000' },
      rank: { type: 'string', default: '64' },
      shards: { type: 'string', default: '4' },
      'cosmos-users': { type: 'string', default: '5000' },
      out: { type: 'string', default: join(ROOT, 'bench', 'results') },
      model: { type: 'string' },
      models: { type: 'string' },
      shard: { type: 'string' },
      direct: { type: 'boolean' },
      'score-shards': { type: 'string' },
      depth: { type: 'string', default: '30' },
      keep: { type: 'string' },
      hashed: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (v.help)
    return console.log(
      'node dist/bench/spark-scale.js [--users 1000000] [--items 20000] [--rank 64] [--shards 4] [--cosmos-users 5000] [--out DIR]\n' +
        '  --direct: write the artifact directly (no Spark model, no import) and run only score and load, for 10M users:\n' +
        '  node dist/bench/spark-scale.js --direct --users 10000000 --shards 16 --score-shards 0,7,15 [--depth 30]\n' +
        "  --hashed: user ids spread over the part files as Spark's ALS writes them (part p: p, p + P, …), not one range per file\n" +
        '  --keep DIR: work in DIR (created; must not exist) and keep it: DIR/models is a registry `recs serve --models-dir` reads',
    );
  if (v.step) {
    const r = await step(v.step, v as unknown as Record<string, string>);
    console.log(JSON.stringify(r));
    return;
  }
  const users = Number(v.users);
  const items = Number(v.items);
  const rank = Number(v.rank);
  const shards = Number(v.shards);
  const hw = hardware();
  console.log(`bench spark-scale: ${describeHardware(hw)}; ${users} users × ${items} items × rank ${rank}`);
  if (v.keep && existsSync(v.keep)) throw new Error(`--keep ${v.keep}: already exists; name a new directory`);
  const work = v.keep ? (mkdirSync(v.keep, { recursive: true }), v.keep) : mkdtempSync(join(tmpdir(), 'spark-scale-'));
  try {
    const model = join(work, 'model');
    const models = join(work, 'models');
    let t = performance.now();
    const rows: StepResult[] = [];
    const show = (r: StepResult) => {
      rows.push(r);
      console.log(`  ${r.step}: ${r.users} users in ${r.seconds.toFixed(2)} s = ${Math.round(r.users / r.seconds)} users/s, peak RSS ${r.peakRssMiB} MiB (${r.note})`);
    };
    if (v.direct) {
      const version = 'v-synthetic';
      const m = writeSyntheticArtifact(join(models, version), version, { users, items, rank, depth: Number(v.depth) });
      const registry = new LocalRegistry(models);
      registry.activate(version);
      const bytes = Object.values(m.files).reduce((a, f) => a + f.bytes, 0);
      console.log(`wrote the artifact directly in ${since(t).toFixed(1)} s: ${(bytes / 2 ** 30).toFixed(2)} GiB (the whole-artifact read of the old score path held all of it)`);
      const list = (v['score-shards'] ?? `0,${shards - 1}`).split(',').map(Number);
      for (const shard of list) {
        if (users <= 2_000_000) show(run('score-whole-read', { models, shard: String(shard), shards: String(shards) })); // above: past 5.5 GiB
        show(run('score', { models, shard: String(shard), shards: String(shards) }));
      }
      show(run('load-cosmos-shard', { models, shard: String(list.at(-1)), shards: String(shards), users: String(v['cosmos-users']) }));
    } else {
      makeModel(model, users, items, rank, v.hashed);
      console.log(`wrote the Spark-layout model in ${since(t).toFixed(1)} s${v.hashed ? ' (user ids hash-partitioned over the files, as Spark writes them)' : ''}`);
      show(run('import', { model, models }));
      show(run('read-artifact', { models }));
      show(run('score', { models, shard: '0', shards: '1' }));
      for (const shard of [0, shards - 1]) show(run('score', { models, shard: String(shard), shards: String(shards) }));
      show(run('load-cosmos', { models, users: String(v['cosmos-users']) }));
    }
    t = performance.now();
    const header = ['step', 'users', 'seconds', 'users/s', 'peak RSS MiB', 'note'];
    const cells = rows.map((r) => [r.step, r.users.toLocaleString('en-US'), r.seconds.toFixed(2), Math.round(r.users / r.seconds).toLocaleString('en-US'), String(r.peakRssMiB), r.note]);
    console.log('\n' + textTable(header, cells));
    mkdirSync(v.out, { recursive: true });
    writeFileSync(join(v.out, 'spark-scale.json'), JSON.stringify({ date: new Date().toISOString(), hardware: hw, users, items, rank, shards, rows }, null, 2));
    writeFileSync(join(v.out, 'spark-scale.md'), `Hardware: ${describeHardware(hw)}\n\n${users} users × ${items} items × rank ${rank}, Spark layout.\n\n${markdownTable(header, cells)}\n`);
  } finally {
    if (v.keep) console.log(`kept ${work} (registry: ${join(work, 'models')})`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
