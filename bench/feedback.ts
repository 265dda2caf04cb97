// `pnpm bench:feedback`: what each feedback option does to quality, beside the default, on
// MovieLens 100K and Last.fm (hetrec2011-2k). Each training row becomes an event and goes through
// the one function training's merge and fold-in share (ts/events/foldin.ts `interactions`, with the
// settings of ts/events/feedback.ts that --event-weights, --event-half-life-days and
// --negative-below set), then implicit ALS (rank 32, α 10, λ 0.1, 15 iterations, seed 42) is trained
// on the strengths and scored on the held-out rows (every one relevant): NDCG@10, precision@10, and
// how many recommended items the user then disliked (ML-100K: rated ≤ 2; Last.fm: played < 10 times).
//
// MovieLens 100K: a chronological split (each user's last 25 % held out); a row is a click, a
// rating, or a type by its rating, as each row of the table says.
// Last.fm has play counts and no timestamps or event types, so there: a stratified split (25 % of
// each user's artists, seed 42); "a click" is a pair, "plays as the value" a click of value
// log2(1 + plays); "types by plays" a purchase for ≥ 100 plays, else a view; --negative-below over
// plays means the play count is the rating and pairs below it are dislikes; a half-life has no
// time to act on.
//
//   pnpm bench:feedback [--ml-dir DIR] [--lastfm-dir DIR]

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chronoSplit, DatasetBuilder, loadMovieLensDir, splitDatasets, stratifiedSplit, type Dataset } from '../ts/data/index.js';
import { loadEngine } from '../ts/engine/index.js';
import { ndcgAtK, precisionAtK } from '../ts/eval/index.js';
import { DEFAULT_FEEDBACK, DEFAULT_WEIGHTS, type FeedbackSettings } from '../ts/events/feedback.js';
import { interactions } from '../ts/events/foldin.js';
import type { TrackedEvent } from '../ts/events/types.js';
import { markdownTable } from './table.js';

const DATASETS = join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');
const { values: v } = parseArgs({ options: { 'ml-dir': { type: 'string' }, 'lastfm-dir': { type: 'string' } } });
const engine = loadEngine();
const K = 10;
const DAY = 86_400_000;

type Event = { type: TrackedEvent['type']; value: number };
interface Protocol {
  name: string;
  train: Dataset;
  test: Dataset;
  /** Held-out rows the user disliked (the last column counts recommendations among them). */
  disliked: (rating: number) => boolean;
  /** ms: ages of the decay are measured from here (the split time). */
  now: number;
}

/** One row of the table: each training row as the event `eventOf` gives, strengths with `settings`. */
async function run(p: Protocol, label: string, eventOf: (rating: number) => Event, settings: FeedbackSettings): Promise<Record<string, string | number>> {
  const { train, test } = p;
  const byUser = new Map<number, TrackedEvent[]>();
  for (let r = 0; r < train.length; r++) {
    const u = train.users[r]!;
    const e = eventOf(train.ratings[r]!);
    const ts = train.timestamps[r]! * 1000;
    (byUser.get(u) ?? byUser.set(u, []).get(u)!).push({ eventId: String(r), userId: String(u), itemId: String(train.items[r]!), ...e, timestamp: ts, receivedAt: ts });
  }
  const users: number[] = [];
  const items: number[] = [];
  const values: number[] = [];
  for (const [u, events] of byUser) {
    events.sort((a, b) => a.timestamp - b.timestamp);
    const x = interactions(events, Number, settings, p.now);
    for (let i = 0; i < x.items.length; i++) users.push(u), items.push(x.items[i]!), values.push(x.values[i]!);
  }
  const nUsers = train.userIds.length;
  const data = { nUsers, nItems: train.itemIds.length, users: Uint32Array.from(users), items: Uint32Array.from(items), values: Float32Array.from(values) };
  const model = await engine.fit(data, { rank: 32, maxIter: 15, regParam: 0.1, implicitPrefs: true, alpha: 10, seed: 42 });
  const top = await engine.topK({ rank: model.rank, userFactors: model.userFactors, itemFactors: model.itemFactors }, { k: K, exclude: data });
  const pu: number[] = [];
  const pi: number[] = [];
  const ps: number[] = [];
  for (let u = 0; u < nUsers; u++) for (let x = 0; x < K; x++) if (top.items[u * K + x] !== 0xffffffff) pu.push(u), pi.push(top.items[u * K + x]!), ps.push(K - x);
  const preds = { users: Uint32Array.from(pu), items: Uint32Array.from(pi), scores: Float32Array.from(ps) };
  const truth = { users: test.users, items: test.items };
  const disliked = new Set<string>();
  for (let r = 0; r < test.length; r++) if (p.disliked(test.ratings[r]!)) disliked.add(`${test.users[r]} ${test.items[r]}`);
  let hits = 0;
  for (let i = 0; i < pu.length; i++) if (disliked.has(`${pu[i]} ${pi[i]}`)) hits++;
  return { 'data set': p.name, training: label, 'NDCG@10': ndcgAtK(truth, preds, K).toFixed(4), 'precision@10': precisionAtK(truth, preds, K).toFixed(4), 'recommended, then disliked': hits };
}

const S = (o: Partial<FeedbackSettings>): FeedbackSettings => ({ ...DEFAULT_FEEDBACK, ...o });
const W = (o: Partial<typeof DEFAULT_WEIGHTS>) => ({ ...DEFAULT_WEIGHTS, ...o });
const click = (): Event => ({ type: 'click', value: 1 });
/** Stored negative, as POST /v1/events stores a dislike. */
const dislike = (): Event => ({ type: 'dislike', value: -1 });
const rating = (r: number): Event => ({ type: 'rating', value: r });
const rows: Record<string, string | number>[] = [];

const mlDir = v['ml-dir'] ?? join(DATASETS, 'ml-100k');
if (existsSync(mlDir)) {
  const all = (await loadMovieLensDir(mlDir)).ratings;
  const [train, test] = splitDatasets(all, chronoSplit(all, { ratio: 0.75, filterBy: 'user' }));
  let now = -Infinity;
  for (let r = 0; r < train!.length; r++) now = Math.max(now, train!.timestamps[r]! * 1000);
  const ml: Protocol = { name: 'ML-100K', train: train!, test: test!, disliked: (r) => r <= 2, now };
  const byStars = (r: number): Event => ({ type: r >= 5 ? 'purchase' : r >= 4 ? 'like' : r >= 3 ? 'click' : 'view', value: 1 });
  rows.push(
    await run(ml, 'every rating a click (default)', click, DEFAULT_FEEDBACK),
    await run(ml, 'the rating as the strength', rating, DEFAULT_FEEDBACK),
    await run(ml, 'the rating, --negative-below 3', rating, S({ negativeBelow: 3 })),
    await run(ml, 'types by rating (5 purchase, 4 like, 3 click, ≤ 2 view), default weights', byStars, DEFAULT_FEEDBACK),
    await run(ml, 'types by rating, --event-weights view=0.1,purchase=5', byStars, S({ weights: W({ view: 0.1, purchase: 5 }) })),
    await run(ml, 'ratings ≤ 2 as dislikes, others clicks', (r) => (r <= 2 ? dislike() : click()), DEFAULT_FEEDBACK),
    await run(ml, 'clicks, --event-half-life-days 90', click, S({ halfLifeMs: 90 * DAY })),
    await run(ml, 'clicks, --event-half-life-days 30', click, S({ halfLifeMs: 30 * DAY })),
    await run(ml, 'ratings ≤ 2 as dislikes, others clicks, --event-half-life-days 90', (r) => (r <= 2 ? dislike() : click()), S({ halfLifeMs: 90 * DAY })),
  );
} else console.warn(`SKIPPED: MovieLens 100K (no ${mlDir}; --ml-dir DIR)`);

const fmDir = v['lastfm-dir'] ?? join(DATASETS, 'lastfm-hetrec2011-2k');
if (existsSync(fmDir)) {
  // user_artists.dat: "userID artistID weight" (the play count), tab-separated, a header line
  const b = new DatasetBuilder();
  const lines = readFileSync(join(fmDir, 'user_artists.dat'), 'utf8').split('\n').slice(1);
  for (const line of lines) {
    const [user, artist, plays] = line.split('\t');
    if (user && artist && plays) b.add(user, artist, Number(plays), 0);
  }
  const all = b.build();
  const [train, test] = splitDatasets(all, stratifiedSplit(all, { ratio: 0.75, filterBy: 'user', seed: 42 }));
  const fm: Protocol = { name: 'Last.fm', train: train!, test: test!, disliked: (plays) => plays < 10, now: 0 };
  const byPlays = (plays: number): Event => ({ type: plays >= 100 ? 'purchase' : 'view', value: 1 });
  rows.push(
    await run(fm, 'every pair a click (default)', click, DEFAULT_FEEDBACK),
    await run(fm, 'plays as the value: a click of log2(1 + plays)', (plays) => ({ type: 'click', value: Math.log2(1 + plays) }), DEFAULT_FEEDBACK),
    await run(fm, 'types by plays (≥ 100 a purchase, else a view), default weights', byPlays, DEFAULT_FEEDBACK),
    await run(fm, 'types by plays, --event-weights view=0.1,purchase=5', byPlays, S({ weights: W({ view: 0.1, purchase: 5 }) })),
    await run(fm, 'pairs under 10 plays dislikes (plays as the rating, --negative-below 10), others clicks', (plays) => (plays < 10 ? rating(plays) : click()), S({ negativeBelow: 10 })),
  );
} else console.warn(`SKIPPED: Last.fm (no ${fmDir}; --lastfm-dir DIR)`);

if (rows.length > 0)
  console.log(
    markdownTable(
      Object.keys(rows[0]!),
      rows.map((r) => Object.values(r).map(String)),
    ),
  );
