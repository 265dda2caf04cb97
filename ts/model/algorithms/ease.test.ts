// EASE through each engine (native addon, WASM) against an independent reference: the closed
// form computed with a plain Gauss–Jordan inverse of XᵀX + λI on a tiny dataset; ranking is
// x_u·B with training items left out, fold-in equals x_u·B, similar items come from B's columns;
// the item-count limit names --algorithm als.

import { beforeAll, describe, expect, it } from 'vitest';
import { ease } from './ease.js';
import { similarByWeights, userRows, WeightsFoldIn, weightsTopK } from './item-weights.js';
import type { ItemWeights } from './types.js';
import { Rng } from '../../data/index.js';
import { testEngines } from '../../engine/wasm-engines.js';

/** Gauss–Jordan with partial pivoting on number[][] (no relation to the Cholesky code). */
function gaussJordanInverse(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const d = a[c]![c]!;
    for (let j = 0; j < 2 * n; j++) a[c]![j]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      for (let j = 0; j < 2 * n; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return a.map((row) => row.slice(n));
}

/** A small random binary users × items matrix as COO pairs. */
function tiny(nUsers: number, nItems: number, density: number, seed: number) {
  const rng = new Rng(seed);
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < nUsers; u++) for (let i = 0; i < nItems; i++) if (rng.nextFloat() < density) users.push(u), items.push(i);
  return { users: Uint32Array.from(users), items: Uint32Array.from(items) };
}

/** B by the paper's formulas, densely: P = (XᵀX + λI)⁻¹, B = I − P·diagMat(1/diag(P)). */
function referenceB(x: { users: Uint32Array; items: Uint32Array }, nUsers: number, n: number, lambda: number): number[][] {
  const X = Array.from({ length: nUsers }, () => new Array<number>(n).fill(0));
  for (let r = 0; r < x.users.length; r++) X[x.users[r]!]![x.items[r]!] = 1;
  const G = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => X.reduce((s, row) => s + row[i]! * row[j]!, 0) + (i === j ? lambda : 0)));
  const P = gaussJordanInverse(G);
  return P.map((row, i) => row.map((_, j) => (i === j ? 1 : 0) - P[i]![j]! / P[j]![j]!));
}

describe.each(testEngines())('EASE ($name)', ({ engine }) => {
  const nUsers = 40;
  const n = 12;
  const x = tiny(nUsers, n, 0.3, 11);
  const lambda = 3;
  const B = referenceB(x, nUsers, n, lambda);
  const rows = userRows(nUsers, x.users, x.items);
  const data = { nUsers, nItems: n, users: x.users, items: x.items, ratings: new Float32Array(x.users.length).fill(1), feedback: { kind: 'value' as const } };
  let w: ItemWeights;
  beforeAll(async () => {
    w = (await ease.fit(engine, data, { regParam: lambda, maxItems: 100 }, {})).itemWeights!;
  });

  it('computes the closed form of the paper, zero diagonal', () => {
    for (let i = 0; i < n; i++) {
      expect(w.weights[i * n + i]).toBe(0);
      for (let j = 0; j < n; j++) expect(w.weights[i * n + j]).toBeCloseTo(B[i]![j]!, 5);
    }
  });

  it('ranks each user by x_u·B with the training items left out', async () => {
    const top = await weightsTopK(w, rows, { k: 3, exclude: x });
    for (let u = 0; u < nUsers; u++) {
      const seen = new Set(Array.from(rows.items.subarray(rows.offsets[u]!, rows.offsets[u + 1]!)));
      const scores = Array.from({ length: n }, (_, j) => [...seen].reduce((s, i) => s + B[i]![j]!, 0));
      const expected = Array.from({ length: n }, (_, j) => j)
        .filter((j) => !seen.has(j))
        .sort((a, b) => scores[b]! - scores[a]! || a - b)
        .slice(0, 3);
      for (let t = 0; t < expected.length; t++) expect(top.scores[u * 3 + t]).toBeCloseTo(scores[expected[t]!]!, 4);
      expect(Array.from(top.items.subarray(u * 3, u * 3 + expected.length))).toEqual(expected);
    }
  });

  it('folds in a new user as exactly x_u·B, their items excluded, non-positive values ignored', () => {
    const f = new WeightsFoldIn(w);
    const r = f.recommend(Uint32Array.from([1, 4, 7]), Float32Array.from([1, 5, -1]), 4);
    for (let j = 0; j < n; j++) expect(r.vector[j]).toBeCloseTo(B[1]![j]! + B[4]![j]!, 5);
    expect([...r.items]).not.toContain(1);
    expect([...r.items]).not.toContain(7);
    const best = Array.from({ length: n }, (_, j) => j)
      .filter((j) => ![1, 4, 7].includes(j))
      .sort((a, b) => r.vector[b]! - r.vector[a]! || a - b);
    expect([...r.items]).toEqual(best.slice(0, 4));
  });

  it("takes similar items from B's column, largest positive weights first", () => {
    const s = similarByWeights(w, 2, 5);
    const expected = Array.from({ length: n }, (_, i) => i)
      .filter((i) => i !== 2 && B[i]![2]! > 0)
      .sort((a, b) => B[b]![2]! - B[a]![2]! || a - b)
      .slice(0, 5);
    expect([...s.items]).toEqual(expected);
  });

  it('refuses a catalog over --max-items, naming --algorithm als', async () => {
    await expect(ease.fit(engine, data, { regParam: 1, maxItems: 10 }, {})).rejects.toThrow(/12 items is more than --max-items 10; use --algorithm als/);
  });

  it('counts a pair once and leaves out pairs without a positive value', async () => {
    const doubled = {
      ...data,
      users: Uint32Array.from([...x.users, ...x.users, 0]),
      items: Uint32Array.from([...x.items, ...x.items, 0]),
      ratings: Float32Array.from([...data.ratings, ...data.ratings, -1]),
    };
    const m = await ease.fit(engine, { ...doubled, feedback: { kind: 'threshold', min: 0 } }, { regParam: lambda, maxItems: 100 }, {});
    for (let t = 0; t < n * n; t++) expect(m.itemWeights!.weights[t]).toBeCloseTo(w.weights[t]!, 6);
  });
});
