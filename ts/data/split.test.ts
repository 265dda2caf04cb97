import { describe, expect, it } from 'vitest';
import { datasetFromRows, type Dataset } from './dataset.js';
import { Rng } from './random.js';
import { chronoSplit, processSplitRatio, randomSplit, roundHalfEven, splitDatasets, stratifiedSplit } from './split.js';

/** Users u<n> with n ratings each (n in `sizes`), items and timestamps varied. */
function usersWith(sizes: number[]): Dataset {
  const rows: [string, string, number, number][] = [];
  let t = 0;
  sizes.forEach((n, u) => {
    for (let k = 0; k < n; k++) rows.push([`u${n}_${u}`, `i${(u * 7 + k) % 50}`, 1 + (k % 5), 1000 - (t++ % 997)]);
  });
  // Interleave users so groups are not contiguous in the file.
  const rng = new Rng(3);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return datasetFromRows(rows);
}

function countsByUser(ds: Dataset, rows: Uint32Array): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) {
    const id = ds.userIds[ds.users[r]!]!;
    m.set(id, (m.get(id) ?? 0) + 1);
  }
  return m;
}

describe('ratios and rounding', () => {
  it('processes ratios like Recommenders', () => {
    expect(processSplitRatio(0.75)).toEqual({ multi: false, ratios: [0.75, 0.25] });
    expect(processSplitRatio([3, 1])).toEqual({ multi: true, ratios: [0.75, 0.25] });
    expect(processSplitRatio([0.6, 0.2, 0.2]).ratios).toEqual([0.6, 0.2, 0.2]); // fsum is exactly 1: kept as is
    for (const bad of [0, 1, 1.5, -0.1]) expect(() => processSplitRatio(bad)).toThrow(/between 0 and 1/);
    expect(() => processSplitRatio([0.5, 0])).toThrow(/larger than 0/);
  });

  it('rounds half to even like numpy', () => {
    expect([0.5, 1.5, 2.5, 3.5, 4.5, 1.49, 1.51, 7.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, 4, 1, 2, 8]);
  });
});

describe('stratifiedSplit', () => {
  const sizes = [1, 2, 3, 4, 5, 6, 10, 11];
  const ds = usersWith(sizes);

  it('cuts each user at round-half-even(0.75 n): 2 → 2/0, 6 → 4/2, 10 → 8/2', () => {
    const [train, test] = stratifiedSplit(ds, { ratio: 0.75, seed: 1 });
    const tr = countsByUser(ds, train!);
    const te = countsByUser(ds, test!);
    const expected: Record<number, [number, number]> = { 1: [1, 0], 2: [2, 0], 3: [2, 1], 4: [3, 1], 5: [4, 1], 6: [4, 2], 10: [8, 2], 11: [8, 3] };
    sizes.forEach((n, u) => {
      const id = `u${n}_${u}`;
      expect([tr.get(id) ?? 0, te.get(id) ?? 0], id).toEqual(expected[n]);
    });
    expect(train!.length + test!.length).toBe(ds.length);
    expect(new Set([...train!, ...test!]).size).toBe(ds.length); // disjoint, covering
    expect([...train!]).toEqual([...train!].sort((a, b) => a - b)); // file order
  });

  it('supports multi-way ratios (normalised) and per-item groups', () => {
    const [a, b, c] = stratifiedSplit(ds, { ratio: [6, 2, 2], seed: 9 });
    const id = 'u10_6';
    expect([countsByUser(ds, a!).get(id), countsByUser(ds, b!).get(id), countsByUser(ds, c!).get(id)]).toEqual([6, 2, 2]);
    const [ti, te] = stratifiedSplit(ds, { filterBy: 'item', seed: 9 });
    const perItem = (rows: Uint32Array, item: number): number => [...rows].filter((r) => ds.items[r] === item).length;
    for (let i = 0; i < ds.itemIds.length; i++) {
      const n = perItem(ti!, i) + perItem(te!, i);
      expect(perItem(ti!, i)).toBe(roundHalfEven(0.75 * n));
    }
  });

  it('drops groups under minRating from every split first', () => {
    const [train, test] = stratifiedSplit(ds, { minRating: 5 });
    const users = new Set([...countsByUser(ds, train!).keys(), ...countsByUser(ds, test!).keys()]);
    expect([...users].sort()).toEqual(['u10_6', 'u11_7', 'u5_4', 'u6_5']);
    expect(() => stratifiedSplit(ds, { minRating: 0 })).toThrow(/minRating/);
  });

  it('is reproducible by seed, and the seed matters', () => {
    const big = usersWith(Array.from({ length: 200 }, (_, k) => 5 + (k % 30)));
    const a = stratifiedSplit(big, { seed: 123 });
    const b = stratifiedSplit(big, { seed: 123 });
    const c = stratifiedSplit(big, { seed: 124 });
    expect(a).toEqual(b);
    expect(a[1]).not.toEqual(c[1]);
    expect(a[1]!.length).toBe(c[1]!.length); // the counts do not depend on the seed
  });
});

describe('chronoSplit', () => {
  it("puts each user's earliest ratings in train; ties keep file order", () => {
    const ds = datasetFromRows([
      ['a', 'late', 1, 400],
      ['a', 'early', 1, 100],
      ['b', 'x', 1, 5],
      ['a', 'mid1', 1, 200],
      ['a', 'mid2', 1, 200],
      ['b', 'y', 1, 1],
      ['a', 'later', 1, 300],
      ['a', 'mid3', 1, 200],
    ]);
    const [train, test] = chronoSplit(ds, { ratio: 0.5 });
    const items = (rows: Uint32Array): string[] => [...rows].map((r) => ds.itemIds[ds.items[r]!]!);
    // a: 6 ratings → 3 in train: early(100), mid1, mid2 (200, file order); mid3 (200) goes to test.
    expect(items(train!).sort()).toEqual(['early', 'mid1', 'mid2', 'y']);
    expect(items(test!).sort()).toEqual(['late', 'later', 'mid3', 'x']);
  });

  it("on a larger set, every train timestamp precedes the user's test timestamps", () => {
    const ds = usersWith(Array.from({ length: 100 }, (_, k) => 2 + (k % 17)));
    const [train, test] = chronoSplit(ds);
    const maxTrain = new Map<number, number>();
    for (const r of train!) maxTrain.set(ds.users[r]!, Math.max(maxTrain.get(ds.users[r]!) ?? -Infinity, ds.timestamps[r]!));
    for (const r of test!) expect(ds.timestamps[r]!).toBeGreaterThanOrEqual(maxTrain.get(ds.users[r]!)!);
  });

  it('needs timestamps', () => {
    expect(() => chronoSplit(datasetFromRows([['a', 'b']]))).toThrow(/needs timestamps/);
  });
});

describe('randomSplit', () => {
  it('one ratio: floor(ratio n) rows to train, like sklearn train_test_split', () => {
    const [train, test] = randomSplit(10, { ratio: 0.75 });
    expect([train!.length, test!.length]).toEqual([7, 3]);
    expect(new Set([...train!, ...test!]).size).toBe(10);
  });

  it('a list: cut points round-half-even(cumsum n)', () => {
    expect(randomSplit(10, { ratio: [0.5, 0.25, 0.25] }).map((s) => s.length)).toEqual([5, 3, 2]);
    expect(randomSplit(6, { ratio: [3, 1] }).map((s) => s.length)).toEqual([4, 2]); // 4.5 → 4
  });

  it('is reproducible by seed', () => {
    const ds = usersWith([50, 60, 70]);
    expect(randomSplit(ds, { seed: 5 })).toEqual(randomSplit(ds, { seed: 5 }));
    expect(randomSplit(ds, { seed: 5 })[0]).not.toEqual(randomSplit(ds, { seed: 6 })[0]);
  });

  it('splitDatasets keeps shared id maps', () => {
    const ds = usersWith([4, 8]);
    const [train, test] = splitDatasets(ds, randomSplit(ds));
    expect(train!.userMap).toBe(ds.userMap);
    expect(train!.length + test!.length).toBe(ds.length);
  });
});
