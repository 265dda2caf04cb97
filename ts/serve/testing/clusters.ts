// Owns the two-cluster model the new-item tests serve: users u0–u9 like cluster A (items i0–i14,
// genre Alpha), u10–u19 cluster B (i15–i29, Beta); rank 2, each user's stored list its own dot
// products over the items they have not seen (three per user), so a list is exactly what the
// factors say and a new item's place in it can be worked out by hand.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyOf, writeArtifact } from '../../model/artifact.js';
import { LocalRegistry } from '../../model/registry.js';
import { testManifest } from './fixtures.js';

export const USERS = 20;
export const ITEMS = 30;
export const DEPTH = 6;
const RANK = 2;
/** Users 0–9 like cluster A (items 0–14), users 10–19 cluster B (items 15–29). */
export const userVec = (u: number) => (u < 10 ? [1, 0] : [0, 1]);
export const itemVec = (j: number) => (j < 15 ? [0.5 + j / 100, 0] : [0, 0.5 + (j - 15) / 100]);
export const seen = (u: number) => [0, 1, 2].map((s) => (u < 10 ? 0 : 15) + (((u % 10) + s) % 15));

export function clusterRegistry(): LocalRegistry {
  const registry = new LocalRegistry(join(mkdtempSync(join(tmpdir(), 'recs-new-items-')), 'models'));
  registry.ensureRoot();
  const topkItems = new Uint32Array(USERS * DEPTH);
  const topkScores = new Float32Array(USERS * DEPTH);
  for (let u = 0; u < USERS; u++) {
    const ranked = Array.from({ length: ITEMS }, (_, j) => j)
      .filter((j) => !seen(u).includes(j))
      .map((j) => [j, userVec(u)[0]! * itemVec(j)[0]! + userVec(u)[1]! * itemVec(j)[1]!] as const)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, DEPTH);
    ranked.forEach(([j, s], x) => ((topkItems[u * DEPTH + x] = j), (topkScores[u * DEPTH + x] = s)));
  }
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < USERS; u++) for (const j of seen(u)) users.push(u), items.push(j);
  writeArtifact(registry.versionDir('v1'), {
    rank: RANK,
    userIds: Array.from({ length: USERS }, (_, u) => `u${u}`),
    itemIds: Array.from({ length: ITEMS }, (_, j) => `i${j}`),
    userFactors: Float32Array.from({ length: USERS * RANK }, (_, x) => userVec(Math.floor(x / RANK))[x % RANK]!),
    itemFactors: Float32Array.from({ length: ITEMS * RANK }, (_, x) => itemVec(Math.floor(x / RANK))[x % RANK]!),
    items: { titles: Array.from({ length: ITEMS }, (_, j) => `Item ${j}`), genres: Array.from({ length: ITEMS }, (_, j) => [j < 15 ? 'Alpha' : 'Beta']) },
    popularity: { items: Uint32Array.from({ length: ITEMS }, (_, j) => j), counts: Uint32Array.from({ length: ITEMS }, (_, j) => ITEMS - j) },
    topk: { depth: DEPTH, items: topkItems, scores: topkScores },
    history: historyOf({ nUsers: USERS, users: Uint32Array.from(users), items: Uint32Array.from(items) }),
    manifest: testManifest({
      version: 'v1',
      params: { rank: RANK, implicit: true, alpha: 40, lambda: 0.1 },
      data: { source: 'clusters', fingerprint: 'c', users: USERS, items: ITEMS, interactions: users.length },
      topkDepth: DEPTH,
    }),
  });
  registry.activate('v1');
  return registry;
}
