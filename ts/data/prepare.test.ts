import { describe, expect, it } from 'vitest';
import { datasetFromRows, type Dataset } from './dataset.js';
import { dedupeRows, kCoreRows, minCountRows, prepare, reindex } from './prepare.js';
import { iota, Rng } from './random.js';

const rowsOf = (ds: Dataset, rows: Uint32Array): string[] => [...rows].map((r) => `${ds.userIds[ds.users[r]!]}:${ds.itemIds[ds.items[r]!]}:${ds.ratings[r]}`);

describe('dedupeRows', () => {
  it('keeps the latest timestamp; ties go to the later line; a timestamp beats none', () => {
    const ds = datasetFromRows([
      ['a', 'x', 1, 10],
      ['a', 'x', 2, 5],
      ['b', 'x', 9, 1], // other user: not a duplicate
      ['a', 'x', 3, 10], // ties with row 0 on time, later in file: wins
      ['a', 'y', 4, NaN],
      ['a', 'y', 5, 1], // has a timestamp: wins over the missing one
      ['a', 'z', 6, NaN],
      ['a', 'z', 7, NaN], // both missing: later wins
      ['a', 'w', 8, 3],
      ['a', 'w', 9, NaN], // missing never beats a timestamp
    ]);
    expect(rowsOf(ds, dedupeRows(ds))).toEqual(['b:x:9', 'a:x:3', 'a:y:5', 'a:z:7', 'a:w:8']);
  });
});

describe('min-count and k-core filters', () => {
  // Items first, then users: after one pass user "c" is gone and item "i4" drops to one rating.
  const ds = datasetFromRows([
    ['a', 'i1'],
    ['a', 'i2'],
    ['b', 'i1'],
    ['b', 'i2'],
    ['c', 'i3'],
    ['c', 'i4'],
    ['d', 'i4'],
    ['d', 'i1'],
    ['d', 'i2'],
  ]);

  it('one min-count pass filters items, then users', () => {
    const rows = minCountRows(ds, iota(ds.length), { users: 2, items: 2 });
    expect(rowsOf(ds, rows)).toEqual(['a:i1:1', 'a:i2:1', 'b:i1:1', 'b:i2:1', 'd:i4:1', 'd:i1:1', 'd:i2:1']);
  });

  it('k-core repeats until every user and item has at least k', () => {
    const { rows, rounds } = kCoreRows(ds, iota(ds.length), { users: 2, items: 2 });
    expect(rowsOf(ds, rows)).toEqual(['a:i1:1', 'a:i2:1', 'b:i1:1', 'b:i2:1', 'd:i1:1', 'd:i2:1']);
    expect(rounds).toBe(3);
  });

  it('matches a brute-force k-core on random data', () => {
    const rng = new Rng(7);
    const raw: [string, string][] = [];
    for (let k = 0; k < 3000; k++) raw.push([`u${rng.nextInt(300)}`, `i${Math.floor(rng.nextFloat() ** 2 * 200)}`]);
    const data = datasetFromRows(raw);
    const { rows } = kCoreRows(data, dedupeRows(data), { users: 5, items: 4 });
    // Reference: remove any pair whose user or item is under its minimum, until nothing changes.
    const first = new Map<string, number>();
    raw.forEach((p, r) => first.has(p.join()) || first.set(p.join(), r));
    let keep = [...first.values()];
    for (let changed = true; changed; ) {
      const cu = new Map<string, number>();
      const ci = new Map<string, number>();
      for (const r of keep) {
        cu.set(raw[r]![0], (cu.get(raw[r]![0]) ?? 0) + 1);
        ci.set(raw[r]![1], (ci.get(raw[r]![1]) ?? 0) + 1);
      }
      const next = keep.filter((r) => cu.get(raw[r]![0])! >= 5 && ci.get(raw[r]![1])! >= 4);
      changed = next.length !== keep.length;
      keep = next;
    }
    const key = (r: number): string => `${data.userIds[data.users[r]!]}|${data.itemIds[data.items[r]!]}`;
    expect(new Set([...rows].map(key))).toEqual(new Set(keep.map((r) => raw[r]!.join('|'))));
    expect(rows.length).toBeGreaterThan(100);
  });
});

describe('prepare and reindex', () => {
  it('re-indexes densely after filtering, preserving first-appearance order', () => {
    const ds = datasetFromRows([
      ['x', 'drop'],
      ['u1', 'm1', 4, 1],
      ['u1', 'm2', 3, 2],
      ['u2', 'm1', 5, 3],
      ['u2', 'm2', 1, 4],
      ['u1', 'm1', 2, 9],
    ]);
    const { dataset, stats } = prepare(ds, { kCore: 2 });
    expect(dataset.userIds).toEqual(['u1', 'u2']);
    expect(dataset.itemIds).toEqual(['m1', 'm2']);
    expect([...dataset.users]).toEqual([0, 1, 1, 0]);
    expect([...dataset.items]).toEqual([1, 0, 1, 0]);
    expect([...dataset.ratings]).toEqual([3, 5, 1, 2]); // (u1, m1) deduped to the latest (t=9)
    expect(stats).toEqual({ inputRows: 6, duplicatesRemoved: 1, filteredRows: 1, kCoreRounds: 2, rows: 4, users: 2, items: 2 });
    expect(dataset.userMap.get('u2')).toBe(1);
    expect(dataset.itemMap.get('drop')).toBeUndefined();
  });

  it('reindex without rows keeps everything', () => {
    const ds = datasetFromRows([['a', 'b', 1, 2]]);
    expect(reindex(ds)).toMatchObject({ length: 1, userIds: ['a'], itemIds: ['b'] });
  });
});
