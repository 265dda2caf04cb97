// `pnpm bench:feedback`: what the feedback options do to quality on MovieLens 100K. Each training
// row becomes an event and goes through the one function training's merge and fold-in share
// (ts/events/foldin.ts `interactions`, with ts/events/feedback.ts's decay), then implicit ALS
// (rank 32, α 10, λ 0.1, 15 iterations, seed 42) is trained on the strengths and scored on a
// chronological split (each user's last 25 % of ratings held out; every held-out rating relevant):
// NDCG@10, precision@10, and how many recommended items the user rated ≤ 2 in the test period.
//
//   pnpm bench:feedback [--ml-dir DIR]

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chronoSplit, loadMovieLensDir, splitDatasets } from '../ts/data/index.js';
import { loadEngine } from '../ts/engine/index.js';
import { ndcgAtK, precisionAtK } from '../ts/eval/index.js';
import { interactions } from '../ts/events/foldin.js';
import { DEFAULT_FEEDBACK, NO_DECAY, type Decay } from '../ts/events/feedback.js';
import type { TrackedEvent } from '../ts/events/types.js';
import { markdownTable } from './table.js';

const { values: v } = parseArgs({ options: { 'ml-dir': { type: 'string' } } });
const dir = v['ml-dir'] ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'ml-100k');
const ml = await loadMovieLensDir(dir);
const all = ml.ratings;
const [train, test] = splitDatasets(all, chronoSplit(all, { ratio: 0.75, filterBy: 'user' }));
const engine = loadEngine();
const nUsers = all.userIds.length;
const nItems = all.itemIds.length;
const K = 10;
let splitTime = -Infinity;
for (let r = 0; r < train!.length; r++) splitTime = Math.max(splitTime, train!.timestamps[r]! * 1000);

/** Each training row as an event of `typeOf(rating)`; strengths through `interactions` with `decay`. */
async function run(label: string, typeOf: (rating: number) => { type: TrackedEvent['type']; value: number }, decay: Decay): Promise<Record<string, string | number>> {
  const byUser = new Map<number, TrackedEvent[]>();
  for (let r = 0; r < train!.length; r++) {
    const u = train!.users[r]!;
    const t = typeOf(train!.ratings[r]!);
    const ts = train!.timestamps[r]! * 1000;
    (byUser.get(u) ?? byUser.set(u, []).get(u)!).push({ eventId: String(r), userId: String(u), itemId: String(train!.items[r]!), type: t.type, value: t.value, timestamp: ts, receivedAt: ts });
  }
  const users: number[] = [];
  const items: number[] = [];
  const values: number[] = [];
  for (const [u, events] of byUser) {
    events.sort((a, b) => a.timestamp - b.timestamp);
    const x = interactions(events, Number, { ...DEFAULT_FEEDBACK, halfLifeMs: decay.halfLifeMs }, decay.now);
    for (let i = 0; i < x.items.length; i++) users.push(u), items.push(x.items[i]!), values.push(x.values[i]!);
  }
  const data = { nUsers, nItems, users: Uint32Array.from(users), items: Uint32Array.from(items), values: Float32Array.from(values) };
  const model = await engine.fit(data, { rank: 32, maxIter: 15, regParam: 0.1, implicitPrefs: true, alpha: 10, seed: 42 });
  const top = await engine.topK({ rank: model.rank, userFactors: model.userFactors, itemFactors: model.itemFactors }, { k: K, exclude: data });
  const pu: number[] = [];
  const pi: number[] = [];
  const ps: number[] = [];
  for (let u = 0; u < nUsers; u++) for (let x = 0; x < K; x++) if (top.items[u * K + x] !== 0xffffffff) pu.push(u), pi.push(top.items[u * K + x]!), ps.push(K - x);
  const preds = { users: Uint32Array.from(pu), items: Uint32Array.from(pi), scores: Float32Array.from(ps) };
  const truth = { users: test!.users, items: test!.items };
  const disliked = new Set<string>();
  for (let r = 0; r < test!.length; r++) if (test!.ratings[r]! <= 2) disliked.add(`${test!.users[r]} ${test!.items[r]}`);
  let hitsDisliked = 0;
  for (let i = 0; i < pu.length; i++) if (disliked.has(`${pu[i]} ${pi[i]}`)) hitsDisliked++;
  return { training: label, 'NDCG@10': ndcgAtK(truth, preds, K).toFixed(4), 'precision@10': precisionAtK(truth, preds, K).toFixed(4), 'recommended, then rated ≤ 2': hitsDisliked };
}

const click = () => ({ type: 'click' as const, value: 1 });
const byRating = (r: number) => ({ type: 'rating' as const, value: r });
const dislikeLow = (r: number) => (r <= 2 ? { type: 'dislike' as const, value: -1 } : { type: 'click' as const, value: 1 });
const decay = (days: number): Decay => ({ halfLifeMs: days * 86_400_000, now: splitTime });
const rows = [
  await run('every rating a click (default weights)', click, NO_DECAY),
  await run('the rating as the strength', byRating, NO_DECAY),
  await run('ratings ≤ 2 as dislikes', dislikeLow, NO_DECAY),
  await run('clicks, half-life 90 days', click, decay(90)),
  await run('clicks, half-life 30 days', click, decay(30)),
  await run('dislikes ≤ 2, half-life 90 days', dislikeLow, decay(90)),
];
console.log(`bench: feedback options on ${ml.source}: ${nUsers} users, ${nItems} items, ${train!.length} train / ${test!.length} test rows (chronological, 75/25 per user)`);
console.log(
  markdownTable(
    Object.keys(rows[0]!),
    rows.map((r) => Object.values(r).map(String)),
  ),
);
