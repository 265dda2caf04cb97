import { describe, expect, it } from 'vitest';
import { map, mapAtK, mapAtKOf, mapOf, ndcgAtK, ndcgOf, precisionAtK, precisionOf, rankingStats, recallAtK, recallOf, rPrecisionAtK, rPrecisionOf, type NdcgScoreType } from './ranking.js';
import type { PredictionData, TruthData } from './types.js';

const u32 = (a: number[]): Uint32Array => Uint32Array.from(a);
const f32 = (a: number[]): Float32Array => Float32Array.from(a);
const truthOf = (rows: [number, number, number][]): TruthData => ({
  users: u32(rows.map((r) => r[0])),
  items: u32(rows.map((r) => r[1])),
  ratings: f32(rows.map((r) => r[2])),
});
const predsOf = (rows: [number, number, number][]): PredictionData => ({
  users: u32(rows.map((r) => r[0])),
  items: u32(rows.map((r) => r[1])),
  scores: f32(rows.map((r) => r[2])),
});

// u0 truth {0,1,2}; u1 truth {3}, predictions all misses; u2 truth {4,5}, no predictions;
// u3 predictions only (not in truth, ignored).
const truth = truthOf([
  [0, 0, 5],
  [0, 1, 4],
  [0, 2, 3],
  [1, 3, 5],
  [2, 4, 5],
  [2, 5, 1],
]);
const preds = predsOf([
  [0, 1, 0.9],
  [0, 7, 0.8],
  [0, 0, 0.5],
  [1, 8, 1],
  [1, 9, 0.5],
  [3, 4, 1],
]);

describe('hand-computed ranking metrics', () => {
  it('k=2: no-hit user counts in the mean, user without predictions does not (except NDCG)', () => {
    // common users u0, u1; u0 top2 = [1, 7]: one hit at rank 1; u1: none
    expect(precisionAtK(truth, preds, 2)).toBeCloseTo(0.5 / 2, 12);
    expect(recallAtK(truth, preds, 2)).toBeCloseTo(1 / 3 / 2, 12);
    expect(map(truth, preds, 2)).toBeCloseTo(1 / 3 / 2, 12);
    expect(mapAtK(truth, preds, 2)).toBeCloseTo(1 / 2 / 2, 12);
    expect(rPrecisionAtK(truth, preds, 2)).toBeCloseTo(1 / 3, 12);
    // NDCG averages over truth users u0, u1, u2: u0 = (1/ln2)/(1/ln2 + 1/ln3), others 0
    const u0 = 1 / Math.log(2) / (1 / Math.log(2) + 1 / Math.log(3));
    expect(ndcgAtK(truth, preds, 2)).toBeCloseTo(u0 / 3, 12);
  });

  it('k=5 is larger than every list', () => {
    // u0 list [1, 7, 0]: hits at ranks 1 and 3
    expect(precisionAtK(truth, preds, 5)).toBeCloseTo(2 / 5 / 2, 12);
    expect(recallAtK(truth, preds, 5)).toBeCloseTo(2 / 3 / 2, 12);
    const ap = (1 / 1 + 2 / 3) / 3;
    expect(map(truth, preds, 5)).toBeCloseTo(ap / 2, 12);
    expect(mapAtK(truth, preds, 5)).toBeCloseTo(ap / 2, 12); // min(|truth|=3, 5) = 3
    const d = (r: number): number => 1 / Math.log(1 + r);
    expect(ndcgAtK(truth, preds, 5)).toBeCloseTo((d(1) + d(3)) / (d(1) + d(2) + d(3)) / 3, 12);
    // R-precision for u0: hits ranked ≤ 3 → 2 of 3
    expect(rPrecisionAtK(truth, preds, 5)).toBeCloseTo(2 / 3, 12);
  });

  it('no common user or no hit → 0', () => {
    const other = predsOf([[9, 0, 1]]);
    for (const f of [precisionAtK, recallAtK, map, mapAtK, ndcgAtK, rPrecisionAtK]) {
      expect(f(truth, other, 3)).toBe(0);
      expect(f(truth, predsOf([[1, 8, 1]]), 3)).toBe(0);
    }
  });

  it('ties go to the lower item index; NaN scores rank last', () => {
    const t = truthOf([[0, 1, 5]]);
    expect(
      precisionAtK(
        t,
        predsOf([
          [0, 5, 0.5],
          [0, 2, 0.5],
          [0, 1, 0.5],
        ]),
        1,
      ),
    ).toBe(1);
    expect(
      precisionAtK(
        t,
        predsOf([
          [0, 5, 0.5],
          [0, 0, 0.5],
          [0, 1, 0.5],
        ]),
        1,
      ),
    ).toBe(0);
    expect(
      precisionAtK(
        t,
        predsOf([
          [0, 0, NaN],
          [0, 1, -1],
        ]),
        1,
      ),
    ).toBe(1);
  });

  it('MAP@k divides by min(|truth|, k), MAP by |truth|', () => {
    const t = truthOf([
      [0, 0, 1],
      [0, 1, 1],
      [0, 2, 1],
      [0, 3, 1],
    ]);
    const p = predsOf([
      [0, 9, 3],
      [0, 0, 2],
      [0, 8, 1],
    ]);
    expect(map(t, p, 2)).toBeCloseTo(1 / 2 / 4, 12);
    expect(mapAtK(t, p, 2)).toBeCloseTo(1 / 2 / 2, 12);
  });

  it('NDCG raw / exp gains use the true rating; ideal DCG over the best min(|truth|, k) ratings', () => {
    const t = truthOf([
      [0, 0, 3],
      [0, 1, 1],
      [0, 2, 2],
    ]);
    const p = predsOf([
      [0, 1, 0.9],
      [0, 2, 0.8],
    ]);
    const L = Math.log;
    expect(ndcgAtK(t, p, 2, { scoreType: 'raw' })).toBeCloseTo((1 / L(2) + 2 / L(3)) / (3 / L(2) + 2 / L(3)), 12);
    expect(ndcgAtK(t, p, 2, { scoreType: 'exp' })).toBeCloseTo((1 / L(2) + 3 / L(3)) / (7 / L(2) + 3 / L(3)), 12);
    expect(ndcgAtK(t, p, 2, { scoreType: 'raw', discount: 'log2' })).toBeCloseTo(ndcgAtK(t, p, 2, { scoreType: 'raw' }), 12);
  });

  it('NDCG skips users whose ideal DCG is 0 (0/0), like pandas mean', () => {
    const t = truthOf([
      [0, 0, 0],
      [1, 1, 5],
    ]);
    const p = predsOf([
      [0, 0, 1],
      [1, 1, 1],
    ]);
    expect(ndcgAtK(t, p, 1, { scoreType: 'raw' })).toBe(1);
    expect(ndcgAtK(t, p, 1)).toBe(1);
  });

  it('raw/exp NDCG without truth ratings throws', () => {
    const t = { users: u32([0]), items: u32([0]) };
    expect(() => ndcgAtK(t, predsOf([[0, 0, 1]]), 1, { scoreType: 'raw' })).toThrow(/needs truth ratings/);
    expect(ndcgAtK(t, predsOf([[0, 0, 1]]), 1)).toBe(1);
  });
});

// A literal, object-per-row transcription of the pandas steps, for randomized comparison.
function reference(t: TruthData, p: PredictionData, k: number, scoreType: NdcgScoreType) {
  const tRows = Array.from(t.users, (u, i) => ({ u, i: t.items[i]!, r: t.ratings[i]! }));
  const pRows = Array.from(p.users, (u, i) => ({ u, i: p.items[i]!, s: p.scores[i]! }));
  const common = [...new Set(tRows.map((r) => r.u))].filter((u) => pRows.some((r) => r.u === u)).sort((a, b) => a - b);
  const truthOfUser = (u: number) => tRows.filter((r) => r.u === u);
  const hits = new Map<number, number[]>(); // user → hit ranks
  const hitRating = new Map<string, number>();
  for (const u of common) {
    const top = pRows
      .filter((r) => r.u === u)
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, k);
    const tu = truthOfUser(u);
    const ranks: number[] = [];
    top.forEach((r, j) => {
      const m = tu.find((x) => x.i === r.i);
      if (m) {
        ranks.push(j + 1);
        hitRating.set(`${u}:${j + 1}`, m.r);
      }
    });
    hits.set(u, ranks);
  }
  const anyHit = [...hits.values()].some((h) => h.length > 0);
  const perCommon = (f: (h: number[], actual: number) => number) => (anyHit ? common.reduce((s, u) => s + f(hits.get(u)!, truthOfUser(u).length), 0) / common.length : 0);
  const rr = (h: number[]) => h.reduce((s, rank, j) => s + (j + 1) / rank, 0);
  const gain = (r: number) => (scoreType === 'binary' ? 1 : scoreType === 'raw' ? r : 2 ** r - 1);
  const nd: number[] = [];
  for (const u of [...new Set(tRows.map((r) => r.u))]) {
    const h = hits.get(u) ?? [];
    const dcg = h.reduce((s, rank) => s + gain(hitRating.get(`${u}:${rank}`)!) / Math.log(1 + rank), 0);
    const ideal = truthOfUser(u)
      .map((r) => r.r)
      .sort((a, b) => b - a)
      .slice(0, k);
    const idcg = ideal.reduce((s, r, j) => s + gain(r) / Math.log(2 + j), 0);
    const v = dcg / idcg;
    if (!Number.isNaN(v)) nd.push(v);
  }
  return {
    precision: perCommon((h) => h.length / k),
    recall: perCommon((h, a) => h.length / a),
    map: perCommon((h, a) => rr(h) / a),
    mapAtK: perCommon((h, a) => rr(h) / Math.min(a, k)),
    ndcg: anyHit ? nd.reduce((s, v) => s + v, 0) / nd.length : 0,
  };
}

describe('randomized comparison with a literal transcription', () => {
  let seed = 12345;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  it('agrees on 40 random data sets', () => {
    for (let trial = 0; trial < 40; trial++) {
      const t: [number, number, number][] = [];
      const p: [number, number, number][] = [];
      for (let u = 0; u < 12; u++) {
        for (let i = 0; i < 15; i++) {
          if (u < 10 && rand() < 0.3) t.push([u, i, Math.floor(rand() * 6)]);
          if (u > 2 && rand() < 0.5) p.push([u, i, Math.floor(rand() * 4)]); // many ties
        }
      }
      const truth = truthOf(t);
      const preds = predsOf(p);
      const k = 1 + Math.floor(rand() * 8);
      const st = rankingStats(truth, preds, k);
      for (const scoreType of ['binary', 'raw', 'exp'] as const) {
        const ref = reference(truth, preds, k, scoreType);
        expect(ndcgOf(st, { scoreType })).toBeCloseTo(ref.ndcg, 12);
        if (scoreType !== 'binary') continue;
        expect(precisionOf(st)).toBeCloseTo(ref.precision, 12);
        expect(recallOf(st)).toBeCloseTo(ref.recall, 12);
        expect(mapOf(st)).toBeCloseTo(ref.map, 12);
        expect(mapAtKOf(st)).toBeCloseTo(ref.mapAtK, 12);
        expect(Number.isFinite(rPrecisionOf(st)) || Number.isNaN(rPrecisionOf(st))).toBe(true);
      }
    }
  });
});
