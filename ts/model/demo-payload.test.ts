// Tests the "try it" payload: what the encoder writes, the browser's decoder (web/payload.js)
// reads back exactly (f32) or to half precision (f16); fold-in parameters and the value of a
// pick come from the manifest; and f16 factors rank the same top-10 as f32 but for near-ties.

import { beforeAll, describe, expect, it } from 'vitest';

import { decodeDemoPayload } from '../../web/payload.js';
import { createNativeEngine } from '../engine/native.js';
import type { ModelArtifact } from './artifact.js';
import { encodeDemoPayload, foldInParams, likeValueFor, toHalf } from './demo-payload.js';

const engine = createNativeEngine();

function artifact(itemFactors: Float32Array, rank: number, params: Record<string, unknown>): ModelArtifact {
  const nItems = itemFactors.length / rank;
  const itemIds = Array.from({ length: nItems }, (_, i) => `m${i + 1}`);
  return {
    parts: ['userFactors', 'itemFactors', 'topk', 'popularity'],
    itemWeights: null,
    rank,
    userIds: [],
    history: null,
    itemIds,
    userFactors: new Float32Array(0),
    itemFactors,
    items: {
      titles: itemIds.map((id, i) => (i === 1 ? null : `Film ${id} — é ${i}`)),
      genres: itemIds.map((_, i) => (i % 3 === 0 ? ['Drama', 'Comedy'] : i % 3 === 1 ? [] : ['Sci-Fi'])),
    },
    popularity: { items: Uint32Array.from({ length: nItems }, (_, i) => nItems - 1 - i), counts: Uint32Array.from({ length: nItems }, (_, i) => nItems - i) },
    topk: { depth: 0, items: new Uint32Array(0), scores: new Float32Array(0) },
    manifest: {
      format: 'realtime-recs/model@1',
      version: 'v-test',
      createdAt: new Date(0).toISOString(),
      codeVersion: 'test',
      params,
      engine: { kind: 'native', kernel: 'test' },
      data: { source: 'synthetic', fingerprint: 'f', users: 0, items: nItems, interactions: 0 },
      metrics: {},
      baseline: {},
      timings: {},
      iterations: [],
      topkDepth: 0,
      files: {},
    },
  };
}

describe('demo payload', () => {
  const params = { rank: 8, maxIter: 10, regParam: 0.3, implicitPrefs: true, alpha: 2, solver: 'cg', cgSteps: 3, feedback: 'value', k: 10 };
  const factors = Float32Array.from({ length: 40 * 8 }, (_, i) => Math.sin(i * 0.7) * 1.3);

  it('round-trips ids, titles, genres, popularity, factors and parameters (f32)', () => {
    const a = artifact(factors, 8, params);
    const d = decodeDemoPayload(encodeDemoPayload(a));
    expect([d.rank, d.nItems, d.header.factors]).toEqual([8, 40, 'f32']);
    expect(d.ids).toEqual(a.itemIds);
    expect(d.titles[0]).toBe('Film m1 — é 0');
    expect(d.titles[1]).toBe('m2'); // no title: the id
    expect(d.genres.slice(0, 3)).toEqual([['Drama', 'Comedy'], [], ['Sci-Fi']]);
    expect(d.popularity).toEqual(a.popularity.items);
    expect(d.itemFactors).toEqual(factors);
    expect(d.header.params).toEqual({ rank: 8, regParam: 0.3, implicitPrefs: true, alpha: 2 });
    expect(Array.from(d.abiParams).slice(0, 5)).toEqual([8, 10, Math.fround(0.3), 1, 2]);
    expect(d.likeValue).toBe(5);
  });

  it('stores f16 factors in half the bytes, exact to half precision', () => {
    const a = artifact(factors, 8, params);
    const [full, half] = [encodeDemoPayload(a), encodeDemoPayload(a, { factors: 'f16' })];
    expect(full.length - half.length).toBe(40 * 8 * 2);
    const d = decodeDemoPayload(half);
    for (let i = 0; i < factors.length; i++) expect(Math.abs((d.itemFactors[i] as number) - (factors[i] as number))).toBeLessThanOrEqual(2 ** -11 * 2);
    expect([toHalf(1), toHalf(-2), toHalf(65504), toHalf(1e6), toHalf(2 ** -24), toHalf(0)]).toEqual([0x3c00, 0xc000, 0x7bff, 0x7c00, 1, 0]);
  });

  it('takes fold-in parameters and the worth of a pick from the manifest', () => {
    expect(foldInParams({ ...params, threads: 2, nonnegative: false }, 8)).toEqual({ rank: 8, regParam: 0.3, implicitPrefs: true, alpha: 2, nonnegative: false });
    expect(likeValueFor({ implicitPrefs: false })).toBe(5);
    expect(likeValueFor({ implicitPrefs: true, feedback: 'value' })).toBe(5);
    expect(likeValueFor({ implicitPrefs: true, feedback: 'binary' })).toBe(1);
    expect(likeValueFor({ implicitPrefs: true, feedback: 'threshold:4' })).toBe(1);
  });

  it('rejects what is not a payload', () => {
    expect(() => decodeDemoPayload(new Uint8Array(16))).toThrow(/bad magic/);
  });

  describe('f16 factors beside f32 for fold-in', () => {
    let model: { rank: number; itemFactors: Float32Array };
    beforeAll(async () => {
      const data = await engine.generateSynthetic({ nUsers: 600, nItems: 800, nInteractions: 30_000, seed: 5 });
      model = await engine.fit(data, { rank: 32, maxIter: 8, implicitPrefs: true, alpha: 2, regParam: 0.3, solver: 'cg', seed: 1 });
    });

    it('ranks the same top-10 for 200 pick sets, but for near-ties', () => {
      const a = artifact(model.itemFactors, 32, params);
      const half = decodeDemoPayload(encodeDemoPayload(a, { factors: 'f16' }));
      const fp = foldInParams(params, 32);
      const [exact, approx] = [engine.createFoldIn(model, fp), engine.createFoldIn({ rank: 32, itemFactors: half.itemFactors }, fp)];
      let same = 0;
      let total = 0;
      for (let s = 0; s < 200; s++) {
        const picks = Uint32Array.from({ length: 1 + (s % 6) }, (_, j) => (s * 131 + j * 577) % 800);
        const values = new Float32Array(picks.length).fill(5);
        const [x, y] = [exact.recommend(picks, values, 10), approx.recommend(picks, values, 10)];
        const setX = new Set(x.items);
        for (let j = 0; j < 10; j++) {
          total += 1;
          if (setX.has(y.items[j] as number)) same += 1;
          // any item f16 ranks differently scores (on the exact factors) within 1% of the exact list's
          expect(Math.abs((y.scores[j] as number) - (x.scores[j] as number))).toBeLessThan(0.01 * Math.max(1, Math.abs(x.scores[j] as number)));
        }
      }
      expect(same / total).toBeGreaterThan(0.97);
    });
  });
});
