// Tests top-k and similar items of each engine against brute force computed here from the
// factors: same items in the same order (ties by lower item index), seen items excluded, empty
// slots, progress.

import { beforeAll, describe, expect, it } from 'vitest';

import { EMPTY_ITEM } from './index.js';
import type { FactorModel, SyntheticData, TopK } from './types.js';
import { testEngines } from './wasm-engines.js';

/** Brute-force top-k rows: score(row, item) for each candidate item, best first, ties by index. */
function brute(rows: number, nItems: number, k: number, score: (r: number, i: number) => number, skip: (r: number, i: number) => boolean) {
  const items: number[][] = [];
  const scores: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const cand: [number, number][] = [];
    for (let i = 0; i < nItems; i++) if (!skip(r, i)) cand.push([i, score(r, i)]);
    cand.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const top = cand.slice(0, k);
    while (top.length < k) top.push([EMPTY_ITEM, -Infinity]);
    items.push(top.map((c) => c[0]));
    scores.push(top.map((c) => c[1]));
  }
  return { items, scores };
}

function dot(a: Float32Array, ra: number, b: Float32Array, rb: number, rank: number): number {
  let s = 0;
  for (let d = 0; d < rank; d++) s += (a[ra * rank + d] as number) * (b[rb * rank + d] as number);
  return s;
}

/** Engine output equals brute force; where float rounding can flip a near-tie, the swapped item must score the same. */
function expectMatches(got: TopK, want: ReturnType<typeof brute>, score: (r: number, i: number) => number) {
  expect(got.rows).toBe(want.items.length);
  for (let r = 0; r < got.rows; r++) {
    const row = Array.from(got.items.subarray(r * got.k, (r + 1) * got.k));
    expect(new Set(row.filter((i) => i !== EMPTY_ITEM)).size).toBe(row.filter((i) => i !== EMPTY_ITEM).length);
    for (let j = 0; j < got.k; j++) {
      const wantItem = want.items[r]?.[j] as number;
      const wantScore = want.scores[r]?.[j] as number;
      const gotItem = row[j] as number;
      const gotScore = got.scores[r * got.k + j] as number;
      if (wantItem === EMPTY_ITEM) {
        expect([gotItem, gotScore]).toEqual([EMPTY_ITEM, -Infinity]);
        continue;
      }
      const tol = 1e-4 * Math.max(1, Math.abs(wantScore));
      expect(Math.abs(gotScore - wantScore)).toBeLessThanOrEqual(tol);
      if (gotItem !== wantItem) expect(Math.abs(score(r, gotItem) - wantScore)).toBeLessThanOrEqual(tol);
    }
  }
}

describe.each(testEngines())('$name engine', ({ engine }) => {
  describe('topK', () => {
    let data: SyntheticData;
    let model: FactorModel;
    beforeAll(async () => {
      data = await engine.generateSynthetic({ nUsers: 250, nItems: 180, nInteractions: 6000, explicit: true, seed: 5 });
      model = await engine.fit(data, { rank: 8, maxIter: 6, regParam: 0.1, seed: 2 });
    });

    it('equals brute-force top-k with seen items excluded', async () => {
      const seen = new Set<number>();
      for (let n = 0; n < data.users.length; n++) seen.add((data.users[n] as number) * data.nItems + (data.items[n] as number));
      const users = Uint32Array.from({ length: 60 }, (_, j) => (j * 37) % data.nUsers);
      const got = await engine.topK(model, { k: 10, users, exclude: data });
      const score = (r: number, i: number) => dot(model.userFactors, users[r] as number, model.itemFactors, i, model.rank);
      const want = brute(users.length, data.nItems, 10, score, (r, i) => seen.has((users[r] as number) * data.nItems + i));
      expectMatches(got, want, score);
      for (let r = 0; r < users.length; r++) {
        for (let j = 0; j < 10; j++) {
          expect(seen.has((users[r] as number) * data.nItems + (got.items[r * 10 + j] as number))).toBe(false);
        }
      }
    });

    it('scores every user when no list is given, and reports progress before resolving', async () => {
      const progress: [number, number][] = [];
      const got = await engine.topK(model, { k: 5, threads: 2, onProgress: (done, total) => void progress.push([done, total]) });
      expect(got).toMatchObject({ k: 5, rows: data.nUsers });
      expect(got.items).toHaveLength(data.nUsers * 5);
      const score = (r: number, i: number) => dot(model.userFactors, r, model.itemFactors, i, model.rank);
      expectMatches(
        got,
        brute(data.nUsers, data.nItems, 5, score, () => false),
        score,
      );
      expect(progress.at(-1)).toEqual([data.nUsers, data.nUsers]);
      for (const [done, total] of progress) expect(done).toBeLessThanOrEqual(total);
    });

    it('breaks exact ties by lower item index and pads short lists', async () => {
      // Integer factors: every score is exact in float32, so ties are real ties.
      const factors = {
        rank: 2,
        userFactors: Float32Array.of(1, 0, 0, 1),
        itemFactors: Float32Array.of(1, 0, 2, 0, 1, 0, 2, 0, 0, 5),
      };
      const score = (r: number, i: number) => dot(factors.userFactors, r, factors.itemFactors, i, 2);
      const exclude = { users: Uint32Array.of(0, 1, 1), items: Uint32Array.of(3, 4, 0) };
      const skip = (r: number, i: number) => (r === 0 && i === 3) || (r === 1 && (i === 4 || i === 0));
      const got = await engine.topK(factors, { k: 5, exclude });
      expect(Array.from(got.items)).toEqual(brute(2, 5, 5, score, skip).items.flat());
      expect(Array.from(got.items.subarray(0, 5))).toEqual([1, 0, 2, 4, EMPTY_ITEM]);
      expect(got.scores[4]).toBe(-Infinity);
    });
  });

  describe('similarItems', () => {
    it('equals brute-force cosine neighbours, the query excluded', async () => {
      const data = await engine.generateSynthetic({ nUsers: 200, nItems: 120, nInteractions: 4000, explicit: true, seed: 8 });
      const model = await engine.fit(data, { rank: 6, maxIter: 5 });
      const queries = Uint32Array.of(0, 7, 50, 119);
      const got = await engine.similarItems(model, queries, 8);
      const norm = (i: number) => Math.sqrt(dot(model.itemFactors, i, model.itemFactors, i, model.rank));
      const score = (r: number, i: number) => {
        const q = queries[r] as number;
        return dot(model.itemFactors, q, model.itemFactors, i, model.rank) / (norm(q) * norm(i));
      };
      expect(got).toMatchObject({ k: 8, rows: 4 });
      expectMatches(
        got,
        brute(queries.length, data.nItems, 8, score, (r, i) => i === queries[r]),
        score,
      );
    });
  });
});
