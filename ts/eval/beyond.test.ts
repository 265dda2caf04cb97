import { describe, expect, it } from 'vitest';
import { catalogCoverage, distributionalCoverage, novelty } from './coverage.js';
import { cooccurrenceCost } from './cooccurrence.js';
import { indexTrain } from './train-index.js';
import { diversity, f16round, serendipity, userDiversity, userItemSerendipity, userSerendipity } from './diversity.js';
import type { InteractionData, RecsData } from './types.js';

const data = (rows: [number, number][]): InteractionData => ({
  users: Uint32Array.from(rows, (r) => r[0]),
  items: Uint32Array.from(rows, (r) => r[1]),
});

// train: u0 {0, 1}, u1 {0, 1, 2}, u2 {2}; item counts 0:2, 1:2, 2:2; cooc(0,1)=2, cooc(1,2)=1, cooc(0,2)=1
const train = data([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
  [1, 2],
  [2, 2],
]);
const sim = (cooc: number, ca: number, cb: number): number => cooc / Math.sqrt(ca * cb);

describe('beyond-accuracy metrics, hand-computed', () => {
  it('refuse recommendations containing a train pair of that user', () => {
    const bad = data([
      [0, 2],
      [0, 1],
    ]);
    for (const f of [catalogCoverage, distributionalCoverage, novelty, diversity, serendipity]) {
      expect(() => f(train, bad)).toThrow(/1 \(user, item\) pair\(s\) already in train \(first: user 0, item 1\)/);
    }
  });

  it('coverage and novelty count items absent from train as Recommenders does', () => {
    const recs = data([
      [0, 2],
      [0, 7],
      [2, 0],
      [2, 1],
    ]); // item 7 never in train
    expect(catalogCoverage(train, recs)).toBeCloseTo(4 / 3, 12);
    expect(distributionalCoverage(train, recs)).toBeCloseTo(2, 12); // 4 items, uniform
    // novelty(i) = -log2(2/6) for items 0,1,2; item 7 contributes nothing but counts in the denominator
    expect(novelty(train, recs)).toBeCloseTo((3 * Math.log2(3)) / 4, 12);
  });

  it('diversity: mean pair similarity per user; single-item users have no value', () => {
    const recs = data([
      [2, 0],
      [2, 1],
      [0, 2],
      [3, 0],
      [3, 1],
      [3, 2],
    ]);
    const ud = userDiversity(train, recs);
    expect(Array.from(ud.users)).toEqual([2, 3]); // u0 has one item
    expect(ud.values[0]).toBeCloseTo(1 - sim(2, 2, 2), 12);
    const u3 = 1 - (sim(2, 2, 2) + sim(1, 2, 2) + sim(1, 2, 2)) / 3;
    expect(ud.values[1]).toBeCloseTo(u3, 12);
    expect(diversity(train, recs)).toBeCloseTo((1 - sim(2, 2, 2) + u3) / 2, 12);
    // a user (3) unseen in train still gets a diversity value; an unseen item has similarity 0
    expect(
      userDiversity(
        train,
        data([
          [3, 0],
          [3, 9],
        ]),
      ).values[0],
    ).toBe(1);
  });

  it('serendipity: 1 - mean similarity to the user’s train items, times relevance; users without train rows skipped', () => {
    const recs: RecsData = {
      ...data([
        [2, 0],
        [2, 1],
        [5, 0],
      ]),
      relevance: Float32Array.of(1, 0.5, 1),
    };
    const uis = userItemSerendipity(train, recs);
    expect(Array.from(uis.users)).toEqual([2, 2]);
    expect(uis.values[0]).toBeCloseTo(1 - sim(1, 2, 2), 12);
    expect(uis.values[1]).toBeCloseTo((1 - sim(1, 2, 2)) * 0.5, 12);
    const us = userSerendipity(train, recs);
    expect(Array.from(us.users)).toEqual([2]);
    expect(serendipity(train, recs)).toBeCloseTo((1 - sim(1, 2, 2)) * 0.75, 12);
    // no relevance column → 1
    expect(serendipity(train, data([[2, 0]]))).toBeCloseTo(1 - sim(1, 2, 2), 12);
  });

  it('cooccurrenceCost counts the row-building work', () => {
    // item 0's train users: u0 (2 items), u1 (3 items); restricted to recommended items: 1 each
    expect(
      cooccurrenceCost(
        indexTrain(train),
        data([
          [2, 0],
          [9, 0],
        ]),
      ),
    ).toBe(5);
    expect(cooccurrenceCost(indexTrain(train), data([[2, 0]]), false)).toBe(2);
    expect(cooccurrenceCost(indexTrain(train), data([[2, 7]]))).toBe(0); // unseen item
  });

  it('relevance is rounded to float16 like astype(np.float16)', () => {
    expect(f16round(0.1)).toBe(0.0999755859375);
    expect(f16round(1 / 3)).toBe(0.333251953125);
    expect(f16round(2049)).toBe(2048); // tie → even
    expect(f16round(2051)).toBe(2052);
    expect(f16round(65519)).toBe(65504);
    expect(f16round(65520)).toBe(Infinity);
    expect(f16round(2 ** -24)).toBe(2 ** -24);
    expect(f16round(3 * 2 ** -26)).toBe(2 ** -24);
    expect(f16round(-1.5)).toBe(-1.5);
    expect(f16round(0)).toBe(0);
  });
});

// Literal transcription of the pandas steps (full similarity table, per-row merges).
function reference(tr: InteractionData, recs: InteractionData) {
  const t = Array.from(tr.users, (u, i) => [u, tr.items[i]!] as const);
  const r = Array.from(recs.users, (u, i) => [u, recs.items[i]!] as const);
  const count = new Map<number, number>();
  for (const [, i] of t) count.set(i, (count.get(i) ?? 0) + 1);
  const pairs = new Map<string, number>();
  for (const [u1, i1] of t) for (const [u2, i2] of t) if (u1 === u2 && i1 <= i2) pairs.set(`${i1},${i2}`, (pairs.get(`${i1},${i2}`) ?? 0) + 1);
  const sim = (a: number, b: number): number => {
    const c = pairs.get(`${Math.min(a, b)},${Math.max(a, b)}`);
    return c === undefined ? 0 : c / (Math.sqrt(count.get(a)!) * Math.sqrt(count.get(b)!));
  };
  const users = [...new Set(r.map((x) => x[0]))].sort((a, b) => a - b);
  const div: number[] = [];
  const ser: number[] = [];
  for (const u of users) {
    const items = r.filter((x) => x[0] === u).map((x) => x[1]);
    const s: number[] = [];
    for (const a of items) for (const b of items) if (a < b) s.push(sim(a, b));
    if (s.length) div.push(1 - s.reduce((x, y) => x + y, 0) / s.length);
    const hist = t.filter((x) => x[0] === u).map((x) => x[1]);
    if (hist.length) {
      const per = items.map((a) => 1 - hist.reduce((x, h) => x + sim(a, h), 0) / hist.length);
      ser.push(per.reduce((x, y) => x + y, 0) / per.length);
    }
  }
  const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
  return { diversity: mean(div), serendipity: mean(ser) };
}

describe('randomized comparison with a literal transcription', () => {
  let seed = 777;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  it('diversity and serendipity agree on 30 random data sets (dense and sparse item ids)', () => {
    for (let trial = 0; trial < 30; trial++) {
      const spread = trial % 2 === 0 ? 1 : 997; // sparse ids exercise the touched-list row reset
      const t: [number, number][] = [];
      const r: [number, number][] = [];
      for (let u = 0; u < 15; u++) {
        for (let i = 0; i < 20; i++) {
          if (u < 12 && rand() < 0.35) t.push([u, i * spread]);
          else if (rand() < 0.25) r.push([u, i * spread]);
        }
      }
      const tr = data(t);
      const recs = data(r);
      const ref = reference(tr, recs);
      expect(diversity(tr, recs)).toBeCloseTo(ref.diversity, 12);
      expect(serendipity(tr, recs)).toBeCloseTo(ref.serendipity, 12);
    }
  });
});
