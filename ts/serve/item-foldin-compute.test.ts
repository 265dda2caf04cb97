// Item fold-in's bookkeeping against an independent reference: the vector a computer gives after
// any mix of repeated events, events on known items, erasures and a new model equals the one a
// fresh computer gives from exactly the events that should count (the erased users' earlier
// events left out, each event once); the vector itself is the engine's fold-in of the per-user
// values (latest rating, else summed implicit values), checked by the least-squares normal
// equations it solves.

import { describe, expect, it } from 'vitest';
import { loadEngine } from '../engine/index.js';
import type { TrackedEvent } from '../events/types.js';
import { buildIdIndex } from '../store/embedded-ids.js';
import { ItemFoldInComputer, type ItemFoldInModel } from './item-foldin-compute.js';

const RANK = 3;
const USERS = 12;
const userFactors = Float32Array.from({ length: USERS * RANK }, (_, x) => Math.sin(x * 1.7) + 0.2);
const model = (version: string, items: string[]): ItemFoldInModel => ({
  version,
  rank: RANK,
  userFactors,
  users: buildIdIndex(Array.from({ length: USERS }, (_, u) => `u${u}`)),
  items: buildIdIndex(items),
  params: { rank: RANK, implicitPrefs: false, regParam: 0.1 },
  createdAt: 0,
});
let n = 0;
const ev = (userId: string, itemId: string, type: TrackedEvent['type'], value: number, timestamp = 1000 + n): TrackedEvent => ({
  eventId: `e${n++}`,
  userId,
  itemId,
  type,
  value,
  timestamp,
  receivedAt: timestamp,
});

describe('item fold-in', () => {
  it('counts each event once, leaves out erased users and known items, and matches a fresh computer given only what counts', () => {
    const c = new ItemFoldInComputer();
    c.setModel(model('v1', ['old']));
    const counted = [ev('u1', 'x', 'rating', 4), ev('u2', 'x', 'rating', 2), ev('u2', 'x', 'rating', 5), ev('u3', 'x', 'rating', 3), ev('u5', 'y', 'rating', 4), ev('u6', 'y', 'rating', 1)];
    const erased = [ev('u4', 'x', 'rating', 1), ev('u4', 'y', 'rating', 5)];
    const later = ev('u4', 'y', 'rating', 3, 9e12); // sent after the erasure: counts
    c.observe([...counted, ...erased, ev('u1', 'old', 'rating', 5), ev('ghost', 'x', 'rating', 5)]);
    c.observe(counted); // read back from the store: counted once
    expect(
      c
        .flush()
        .map((u) => u.itemId)
        .sort(),
    ).toEqual(['x', 'y']);
    c.erase([['u4', 5e12]]);
    c.observe([...erased, later]); // a replay from before the erasure does not count again
    const after = new Map(c.flush().map((u) => [u.itemId, u]));
    const ref = new ItemFoldInComputer();
    ref.setModel(model('v1', ['old']));
    ref.observe([...counted, ev('ghost', 'x', 'rating', 5), { ...later, eventId: 'other' }]);
    const want = new Map(ref.flush().map((u) => [u.itemId, u]));
    for (const id of ['x', 'y']) {
      expect(Array.from(after.get(id)!.vector!)).toEqual(Array.from(want.get(id)!.vector!));
      expect(after.get(id)!.users.sort()).toEqual(want.get(id)!.users.sort());
    }
    // a model that knows x: only y is folded in again
    c.setModel(model('v2', ['old', 'x']));
    expect(c.flush().map((u) => u.itemId)).toEqual(['y']);
  });

  it("an item's vector solves the explicit fold-in normal equations over its users' latest ratings", () => {
    const c = new ItemFoldInComputer();
    c.setModel(model('v1', []));
    const ratings: [number, number][] = [
      [0, 4],
      [3, 2],
      [7, 5],
      [9, 1],
    ];
    c.observe(ratings.map(([u, r]) => ev(`u${u}`, 'z', 'rating', r)));
    const [upd] = c.flush();
    const v = upd!.vector!;
    // reference: the engine's own fold-in of the same (row, value) pairs, then (UᵀU + λ·n·I)v ≈ Uᵀr or (UᵀU + λI)v ≈ Uᵀr
    const f = loadEngine().createFoldIn({ rank: RANK, itemFactors: userFactors }, { rank: RANK, implicitPrefs: false, regParam: 0.1 });
    expect(Array.from(v)).toEqual(
      Array.from(
        f.userVector(
          Uint32Array.from(ratings, (x) => x[0]),
          Float32Array.from(ratings, (x) => x[1]),
        ),
      ),
    );
    const residual = (lambda: number) => {
      let worst = 0;
      for (let i = 0; i < RANK; i++) {
        let lhs = lambda * v[i]!;
        let rhs = 0;
        for (const [u, r] of ratings) {
          let dot = 0;
          for (let j = 0; j < RANK; j++) dot += userFactors[u * RANK + j]! * v[j]!;
          lhs += userFactors[u * RANK + i]! * dot;
          rhs += userFactors[u * RANK + i]! * r;
        }
        worst = Math.max(worst, Math.abs(lhs - rhs));
      }
      return worst;
    };
    expect(Math.min(residual(0.1), residual(0.1 * ratings.length))).toBeLessThan(1e-3);
  });
});
