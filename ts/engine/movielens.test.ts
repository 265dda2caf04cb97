// Tests explicit ALS with each engine on MovieLens 100K (../shared/datasets/ml-100k/u.data): a
// seeded random 75/25 split, rank 10, maxIter 15, regParam 0.05 → test RMSE in [0.90, 0.98].

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { nativeAddonPath } from './native.js';
import { testEngines } from './wasm-engines.js';

const repoRoot = join(nativeAddonPath(), '..', '..');
const path = join(repoRoot, '..', 'shared', 'datasets', 'ml-100k', 'u.data');
const present = existsSync(path);
if (!present) console.warn(`movielens.test: skipping, ${path} is absent`);

/** mulberry32: a tiny seeded PRNG in [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Ratings {
  users: number[];
  items: number[];
  values: number[];
}

/** u.data rows (user, item, rating; 1-based ids made 0-based) split 75/25 at random. */
function split(seed: number): { train: Ratings; test: Ratings; nUsers: number; nItems: number } {
  const train: Ratings = { users: [], items: [], values: [] };
  const test: Ratings = { users: [], items: [], values: [] };
  const random = rng(seed);
  let nUsers = 0;
  let nItems = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const [u, i, r] = line.split('\t').map(Number) as [number, number, number];
    const side = random() < 0.75 ? train : test;
    side.users.push(u - 1);
    side.items.push(i - 1);
    side.values.push(r);
    nUsers = Math.max(nUsers, u);
    nItems = Math.max(nItems, i);
  }
  return { train, test, nUsers, nItems };
}

describe.each(testEngines())('MovieLens 100K ($name)', ({ engine }) => {
  it.skipIf(!present)('explicit ALS reaches test RMSE in [0.90, 0.98]', async () => {
    const { train, test, nUsers, nItems } = split(42);
    const model = await engine.fit(
      {
        nUsers,
        nItems,
        users: Uint32Array.from(train.users),
        items: Uint32Array.from(train.items),
        values: Float32Array.from(train.values),
      },
      { rank: 10, maxIter: 15, regParam: 0.05, seed: 42 },
    );
    const seenUser = new Set(train.users);
    const seenItem = new Set(train.items);
    let sum = 0;
    let n = 0;
    for (let j = 0; j < test.users.length; j++) {
      const u = test.users[j] as number;
      const i = test.items[j] as number;
      if (!seenUser.has(u) || !seenItem.has(i)) continue;
      let p = 0;
      for (let d = 0; d < 10; d++) p += (model.userFactors[u * 10 + d] as number) * (model.itemFactors[i * 10 + d] as number);
      sum += (p - (test.values[j] as number)) ** 2;
      n += 1;
    }
    const rmse = Math.sqrt(sum / n);
    console.info(`MovieLens 100K: test RMSE ${rmse.toFixed(4)} over ${n} pairs`);
    expect(n).toBeGreaterThan(24_000);
    expect(rmse).toBeGreaterThanOrEqual(0.9);
    expect(rmse).toBeLessThanOrEqual(0.98);
  });
});
