// Owns metrics by segment, the view behind a single average: users by history length (cold users
// with 1–5 training interactions, …) and items by popularity decile. For a user segment: NDCG@k
// and recall@k (Recommenders' definitions, restricted to the segment's test users). For an item
// decile (deciles of the training items ranked by training count, most popular first): the share
// of the test interactions on its items, the share of the recommendations, and the recall of its
// test interactions (hits on its items / its test interactions): the long tail behind coverage.

import { ndcgOf, rankingStats, recallOf } from './ranking.js';
import { topKPerUser } from './topk.js';
import type { InteractionData, PredictionData } from './types.js';

export interface UserSegment {
  label: string;
  /** Test users in the segment (with at least one training row). */
  users: number;
  ndcg: number;
  recall: number;
}

export interface ItemDecile {
  /** 1 = the most popular tenth of the training items. */
  decile: number;
  items: number;
  /** Shares in [0, 1]. */
  testShare: number;
  recommendationShare: number;
  recall: number;
}

export const HISTORY_BUCKETS: ReadonlyArray<readonly [number, number]> = [
  [1, 5],
  [6, 20],
  [21, 50],
  [51, 100],
  [101, 250],
  [251, Infinity],
];

export function userSegments(train: InteractionData, test: InteractionData, recs: PredictionData, k: number): UserSegment[] {
  const history = countBy(train.users);
  const top = topKPerUser(recs, k);
  return HISTORY_BUCKETS.map(([lo, hi]) => {
    const inSeg = (u: number): boolean => {
      const h = history[u] ?? 0;
      return h >= lo && h <= hi;
    };
    const t = filterRows(test, (r) => inSeg(test.users[r]!));
    const p = filterPreds(top, (r) => inSeg(top.users[r]!));
    const users = new Set(t.users).size;
    const label = hi === Infinity ? `${lo}+` : `${lo}–${hi}`;
    if (users === 0) return { label, users: 0, ndcg: NaN, recall: NaN };
    const st = rankingStats(t, p, k);
    return { label, users, ndcg: ndcgOf(st), recall: recallOf(st) };
  }).filter((s) => s.users > 0);
}

export function itemDeciles(train: InteractionData, test: InteractionData, recs: PredictionData, k: number): ItemDecile[] {
  const counts = countBy(train.items);
  const ranked = Array.from(counts.keys())
    .filter((i) => counts[i]! > 0)
    .sort((a, b) => counts[b]! - counts[a]! || a - b);
  const decileOf = new Int8Array(Math.max(counts.length, maxOf(test.items) + 1, maxOf(recs.items) + 1)).fill(-1);
  ranked.forEach((item, r) => (decileOf[item] = Math.floor((10 * r) / ranked.length)));
  const top = topKPerUser(recs, k);
  const testPairs = new Set<number>();
  const stride = 2 ** 26;
  for (let r = 0; r < test.users.length; r++) testPairs.add(test.users[r]! * stride + test.items[r]!);
  const out = Array.from({ length: 10 }, (_, d) => ({ decile: d + 1, items: 0, test: 0, recs: 0, hits: 0 }));
  for (const item of ranked) out[decileOf[item]!]!.items++;
  for (let r = 0; r < test.items.length; r++) {
    const d = decileOf[test.items[r]!]!;
    if (d >= 0) out[d]!.test++;
  }
  for (let r = 0; r < top.items.length; r++) {
    const d = decileOf[top.items[r]!]!;
    if (d < 0) continue;
    out[d]!.recs++;
    if (testPairs.has(top.users[r]! * stride + top.items[r]!)) out[d]!.hits++;
  }
  const testTotal = test.items.length || 1;
  const recTotal = top.items.length || 1;
  return out
    .filter((d) => d.items > 0)
    .map((d) => ({ decile: d.decile, items: d.items, testShare: d.test / testTotal, recommendationShare: d.recs / recTotal, recall: d.test ? d.hits / d.test : NaN }));
}

function countBy(ids: Uint32Array): Uint32Array {
  const out = new Uint32Array(maxOf(ids) + 1);
  for (let r = 0; r < ids.length; r++) out[ids[r]!]!++;
  return out;
}

function maxOf(a: Uint32Array): number {
  let m = -1;
  for (let r = 0; r < a.length; r++) if (a[r]! > m) m = a[r]!;
  return m;
}

function filterRows(d: InteractionData, keep: (r: number) => boolean): InteractionData {
  const rows: number[] = [];
  for (let r = 0; r < d.users.length; r++) if (keep(r)) rows.push(r);
  return { users: Uint32Array.from(rows, (r) => d.users[r]!), items: Uint32Array.from(rows, (r) => d.items[r]!) };
}

function filterPreds(p: PredictionData, keep: (r: number) => boolean): PredictionData {
  const rows: number[] = [];
  for (let r = 0; r < p.users.length; r++) if (keep(r)) rows.push(r);
  return { users: Uint32Array.from(rows, (r) => p.users[r]!), items: Uint32Array.from(rows, (r) => p.items[r]!), scores: Float32Array.from(rows, (r) => p.scores[r]!) };
}
