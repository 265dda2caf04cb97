// Tests fold-in with each engine: a vector from a user's interactions against fixed item factors
// (a training user gets back its trained vector), recommendations excluding the given items, and
// speed.

import { beforeAll, describe, expect, it } from 'vitest';

import { EMPTY_ITEM } from './index.js';
import type { AlsParams, FactorModel, SyntheticData } from './types.js';
import { testEngines } from './wasm-engines.js';

const params: Partial<AlsParams> = { rank: 8, maxIter: 6, regParam: 0.1, seed: 4 };

/** The (items, values) of one user in `data`. */
function history(data: SyntheticData, user: number): { items: Uint32Array; values: Float32Array } {
  const items: number[] = [];
  const values: number[] = [];
  for (let n = 0; n < data.users.length; n++) {
    if (data.users[n] === user) {
      items.push(data.items[n] as number);
      values.push(data.values[n] as number);
    }
  }
  return { items: Uint32Array.from(items), values: Float32Array.from(values) };
}

describe.each(testEngines())('FoldIn ($name)', ({ engine }) => {
  let data: SyntheticData;
  let model: FactorModel;

  beforeAll(async () => {
    data = await engine.generateSynthetic({ nUsers: 300, nItems: 200, nInteractions: 8000, explicit: true, seed: 6 });
    model = await engine.fit(data, params);
  });

  it('gives a training user the vector training gave it', () => {
    const fold = engine.createFoldIn(model, params);
    expect([fold.nItems, fold.rank]).toEqual([200, 8]);
    for (const user of [0, 17, 123]) {
      const { items, values } = history(data, user);
      const v = fold.userVector(items, values);
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(8);
      const trained = model.userFactors.subarray(user * 8, user * 8 + 8);
      for (let d = 0; d < 8; d++) expect(v[d]).toBeCloseTo(trained[d] as number, 3);
    }
  });

  it('folds many users in one call as one by one (recommendMany, where the engine has it)', () => {
    const fold = engine.createFoldIn(model, params);
    if (!fold.recommendMany) return; // the WASM engine folds in one user per call
    const users = [0, 17, 123, 5];
    const h = users.map((u) => history(data, u));
    const offsets = Uint32Array.from([0, ...h.map((_, i) => h.slice(0, i + 1).reduce((n, x) => n + x.items.length, 0))]);
    const many = fold.recommendMany(offsets, Uint32Array.from(h.flatMap((x) => [...x.items])), Float32Array.from(h.flatMap((x) => [...x.values])), 10);
    expect(many).toMatchObject({ k: 10, rows: 4 });
    h.forEach((x, j) => {
      const one = fold.recommend(x.items, x.values, 10);
      expect(many.items.subarray(10 * j, 10 * j + 10)).toEqual(one.items);
      expect(many.scores.subarray(10 * j, 10 * j + 10)).toEqual(one.scores);
      expect(many.vector.subarray(8 * j, 8 * j + 8)).toEqual(one.vector);
    });
    expect(() => fold.recommendMany!(Uint32Array.of(0, 2, 1), Uint32Array.of(1), Float32Array.of(1), 3)).toThrow('offsets');
    expect(() => fold.recommendMany!(Uint32Array.of(0, 2), Uint32Array.of(1), Float32Array.of(1), 3)).toThrow('offsets must start at 0 and end at items.length (1)');
  });

  it('recommends the best unseen items for the folded-in vector', () => {
    const fold = engine.createFoldIn(model, params);
    const items = Uint32Array.of(3, 10, 42, 77);
    const values = Float32Array.of(5, 4, 1, 3);
    const rec = fold.recommend(items, values, 10);
    expect(rec).toMatchObject({ k: 10, rows: 1 });
    expect(Array.from(rec.vector)).toEqual(Array.from(fold.userVector(items, values)));
    const given = new Set(items);
    const scores = Array.from({ length: 200 }, (_, i) => {
      let s = 0;
      for (let d = 0; d < 8; d++) s += (rec.vector[d] as number) * (model.itemFactors[i * 8 + d] as number);
      return s;
    });
    const want = scores
      .map((s, i) => [i, s] as const)
      .filter(([i]) => !given.has(i))
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, 10);
    for (let j = 0; j < 10; j++) {
      const got = rec.items[j] as number;
      expect(given.has(got)).toBe(false);
      expect(rec.scores[j]).toBeCloseTo(want[j]?.[1] as number, 4);
      expect(scores[got]).toBeCloseTo(want[j]?.[1] as number, 4);
    }
  });

  it('pads with empty slots when k exceeds the unseen items', () => {
    const fold = engine.createFoldIn({ rank: 1, itemFactors: Float32Array.of(1, 2, 3) }, { regParam: 0.1 });
    const rec = fold.recommend(Uint32Array.of(1), Float32Array.of(4), 3);
    expect(Array.from(rec.items)).toEqual([2, 0, EMPTY_ITEM]);
    expect(rec.scores[2]).toBe(-Infinity);
  });

  it('answers in microseconds', () => {
    const fold = engine.createFoldIn(model, params);
    const { items, values } = history(data, 5);
    const n = 2000;
    const t = performance.now();
    for (let i = 0; i < n; i++) fold.recommend(items, values, 10);
    const perCall = (performance.now() - t) / n;
    expect(perCall).toBeLessThan(1); // ms; typically tens of microseconds
  });
});
