// `pnpm bench:diversity`: what the serving layer's diversity re-rank (ts/serve/diversity.ts, the
// code the API runs) does to quality on MovieLens 100K. The Recommenders protocol of bench:quality
// (stratified by user 0.75, seed 42), implicit ALS (rank 32, α 10, λ 0.1, 15 iterations), each
// user's top 30 unseen items re-ranked to a top 10 at several `diversity` values and category caps
// (genres), scored with the project's metrics (ts/eval: NDCG@10, diversity and novelty as
// Recommenders defines them, catalogue coverage) beside the plain list. Deterministic.
//
//   pnpm bench:diversity [--ml-dir DIR]

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadMovieLensDir, splitDatasets, stratifiedSplit } from '../ts/data/index.js';
import { loadEngine } from '../ts/engine/index.js';
import { catalogCoverage, diversity, indexTrain, ndcgAtK, novelty } from '../ts/eval/index.js';
import { diversify } from '../ts/serve/diversity.js';
import { markdownTable } from './table.js';

const { values: v } = parseArgs({ options: { 'ml-dir': { type: 'string' } } });
const dir = v['ml-dir'] ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'ml-100k');
const ml = await loadMovieLensDir(dir);
const all = ml.ratings;
const [train, test] = splitDatasets(all, stratifiedSplit(all, { ratio: 0.75, filterBy: 'user', seed: 42 }));
const engine = loadEngine();
const nUsers = all.userIds.length;
const nItems = all.itemIds.length;
const model = await engine.fit(
  { nUsers, nItems, users: train!.users, items: train!.items, values: train!.ratings },
  { rank: 32, maxIter: 15, regParam: 0.1, implicitPrefs: true, alpha: 10, seed: 42 },
);
const POOL = 30;
const K = 10;
const top = await engine.topK({ rank: model.rank, userFactors: model.userFactors, itemFactors: model.itemFactors }, { k: POOL, exclude: train! });
const unit = new Float32Array(model.itemFactors.length);
for (let i = 0; i < nItems; i++) {
  const row = model.itemFactors.subarray(i * model.rank, (i + 1) * model.rank);
  const n = Math.hypot(...row);
  if (n > 0) for (let j = 0; j < model.rank; j++) unit[i * model.rank + j] = row[j]! / n;
}
const genres = all.itemIds.map((id) => (ml.movies?.byId.get(id)?.genres ?? []).map((g) => g.toLowerCase()));
const ctx = { unit: (i: number) => unit.subarray(i * model.rank, (i + 1) * model.rank), categories: (i: number) => genres[i] ?? [] };
const trainIx = indexTrain(train!);
const truth = { users: test!.users, items: test!.items };

function evaluate(label: string, d: { diversity: number; maxPerCategory: number } | null): Record<string, string | number> {
  const users: number[] = [];
  const items: number[] = [];
  const scores: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const rowItems: number[] = [];
    const rowScores: number[] = [];
    for (let x = 0; x < POOL; x++) {
      const item = top.items[u * POOL + x]!;
      if (item === 0xffffffff) break;
      rowItems.push(item);
      rowScores.push(top.scores[u * POOL + x]!);
    }
    const picked = { items: rowItems, scores: rowScores, start: 0, count: rowItems.length, fromFallback: 0 };
    const out = d ? diversify(picked, d, ctx, 0, K) : { ...picked, count: Math.min(K, rowItems.length) };
    for (let x = out.start; x < out.start + out.count; x++) users.push(u), items.push(out.items[x]!), scores.push(K - (x - out.start));
  }
  const recs = { users: Uint32Array.from(users), items: Uint32Array.from(items) };
  return {
    list: label,
    'NDCG@10': ndcgAtK(truth, { ...recs, scores: Float32Array.from(scores) }, K),
    diversity: diversity(trainIx, recs),
    novelty: novelty(trainIx, recs),
    'catalogue coverage': catalogCoverage(trainIx, recs),
  };
}

const rows = [evaluate('plain top 10', null)];
for (const div of [0.1, 0.2, 0.3, 0.5]) rows.push(evaluate(`diversity=${div}`, { diversity: div, maxPerCategory: 0 }));
for (const cap of [3, 2]) rows.push(evaluate(`maxPerCategory=${cap}`, { diversity: 0, maxPerCategory: cap }));
rows.push(evaluate('diversity=0.2, maxPerCategory=3', { diversity: 0.2, maxPerCategory: 3 }));
const base = rows[0]!['NDCG@10'] as number;
for (const r of rows) r['NDCG loss'] = `${(((base - (r['NDCG@10'] as number)) / base) * 100).toFixed(1)} %`;
const fmt = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, x]) => [k, typeof x === 'number' ? x.toFixed(4) : x])));
console.log(`bench: diversity re-rank on ${ml.source}: ${nUsers} users, ${nItems} items, ${train!.length} train / ${test!.length} test rows; top ${POOL} re-ranked to ${K}`);
console.log(
  markdownTable(
    Object.keys(fmt[0]!),
    fmt.map((r) => Object.values(r) as string[]),
  ),
);
