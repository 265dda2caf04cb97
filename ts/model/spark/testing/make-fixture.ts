// Owns the committed Spark fixture (ts/model/spark/fixtures/synthetic-als/, see its README): a small
// implicit-feedback data set with string ids, split per user into train.csv and test.csv, an ALS
// fit on train.csv by this engine, and that fit saved in Spark 3.5's ALSModel layout as
// spark/train_als.py leaves it (non-contiguous Spark ids, two partitions, the recs-ids id map and
// the recs-spark job line). Regenerate with:
//
//   pnpm build:ts && node dist/ts/model/spark/testing/make-fixture.js ts/model/spark/fixtures/synthetic-als

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadEngine, type Engine } from '../../../engine/index.js';
import { writeSparkModel, writeTextDir } from './write-spark-model.js';

export const FIXTURE_PARAMS = { rank: 8, maxIter: 10, regParam: 0.1, implicitPrefs: true, alpha: 1, seed: 3 } as const;

/** Spark ids are not the engine's indices: users 7u + 3, items 1000 + i, so the id map matters. */
export const sparkUserId = (u: number) => 7 * u + 3;
export const sparkItemId = (i: number) => 1000 + i;

export async function makeFixture(engine: Engine, dir: string): Promise<void> {
  const d = await engine.generateSynthetic({ nUsers: 240, nItems: 90, nInteractions: 6000, latentRank: 6, seed: 11 });
  // One row per (user, item); every 4th of a user's rows goes to the test file.
  const seen = new Set<number>();
  const perUser = new Uint32Array(d.nUsers);
  const train: number[] = [];
  const test: number[] = [];
  for (let r = 0; r < d.users.length; r++) {
    const key = d.users[r]! * d.nItems + d.items[r]!;
    if (seen.has(key)) continue;
    seen.add(key);
    (perUser[d.users[r]!]!++ % 4 === 3 ? test : train).push(r);
  }
  const line = (r: number) => `user-${d.users[r]}\titem-${d.items[r]}\t${d.values[r]}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train.tsv'), ['user\titem\trating', ...train.map(line)].join('\n') + '\n');
  writeFileSync(join(dir, 'test.tsv'), ['user\titem\trating', ...test.map(line)].join('\n') + '\n');

  const pick = (rows: number[], a: Uint32Array | Float32Array) => Float32Array.from(rows, (r) => a[r]!);
  const model = await engine.fit(
    { nUsers: d.nUsers, nItems: d.nItems, users: Uint32Array.from(train, (r) => d.users[r]!), items: Uint32Array.from(train, (r) => d.items[r]!), values: pick(train, d.values) },
    { ...FIXTURE_PARAMS, solver: 'cholesky', threads: 1 },
  );
  // Spark keeps factors only for ids present in the training data; written in a scrambled order.
  const users = [...new Set(train.map((r) => d.users[r]!))].sort((a, b) => ((a * 37) % 101) - ((b * 37) % 101) || a - b);
  const items = [...new Set(train.map((r) => d.items[r]!))].sort((a, b) => ((a * 13) % 29) - ((b * 13) % 29) || a - b);
  const rows = (ids: number[], f: Float32Array) => {
    const out = new Float32Array(ids.length * model.rank);
    ids.forEach((id, k) => out.set(f.subarray(id * model.rank, (id + 1) * model.rank), k * model.rank));
    return out;
  };
  const modelDir = join(dir, 'model');
  writeSparkModel(modelDir, {
    rank: model.rank,
    userIds: users.map(sparkUserId),
    userFactors: rows(users, model.userFactors),
    itemIds: items.map(sparkItemId),
    itemFactors: rows(items, model.itemFactors),
    idMap: { users: users.map((u) => [sparkUserId(u), `user-${u}`]), items: items.map((i) => [sparkItemId(i), `item-${i}`]) },
    partitions: 2,
    rowGroupSize: 50,
  });
  const job = {
    format: 'realtime-recs/spark-als@1',
    sparkVersion: '3.5.0',
    params: { ...FIXTURE_PARAMS, nonnegative: false, numUserBlocks: 2, numItemBlocks: 2, k: 10, refit: false },
    data: { source: 'train.tsv (synthetic)', users: users.length, items: items.length, interactions: train.length, minUserCount: 0, minItemCount: 0, split: null },
    metrics: {},
    idMap: 'recs-ids',
    seconds: 1,
  };
  writeTextDir(join(modelDir, 'recs-spark'), JSON.stringify(job) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node dist/ts/model/spark/testing/make-fixture.js OUT_DIR');
    process.exit(2);
  }
  await makeFixture(loadEngine(), out);
  console.log(`wrote ${out}`);
}
