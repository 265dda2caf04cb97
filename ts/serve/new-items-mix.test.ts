// The packed new-item matrix and the mixing rule against a brute-force reference: random lists and
// new items, the expected answer worked out by concatenating the list with every new item that
// passes and beats the list's last score (any, when the list is short), sorting by score and cutting
// at the depth; slots survive updates and removals in any order.

import { describe, expect, it } from 'vitest';
import { mixNewItems } from './new-items-mix.js';
import { NewItemMatrix } from './new-items-matrix.js';

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

describe('mixing new items into a list', () => {
  it('equals the brute-force merge, for full and short lists, with updates and removals', () => {
    const r = rng(7);
    const rank = 5;
    for (let trial = 0; trial < 200; trial++) {
      const depth = 8;
      const length = trial % 3 === 0 ? 5 : depth;
      const scores = Array.from({ length }, () => r()).sort((a, b) => b - a);
      const list = { items: scores.map((_, i) => i), scores };
      const m = new NewItemMatrix(rank);
      const vectors = new Map<number, Float32Array>();
      for (let n = 0; n < 40; n++) {
        const row = 1000 + Math.floor(((r() + 1) / 2) * 30);
        if (r() < -0.7) {
          m.remove(row);
          vectors.delete(row);
        } else {
          const v = Float32Array.from({ length: rank }, () => r());
          m.set(row, v);
          vectors.set(row, v);
        }
      }
      const user = Float32Array.from({ length: rank }, () => r());
      const ok = (row: number) => row % 4 !== 0;
      const got = mixNewItems(list, user, m, depth, ok);
      const last = length >= depth ? scores[length - 1]! : -Infinity;
      const dot = (v: Float32Array) => v.reduce((s, x, j) => s + Math.fround(x) * Math.fround(user[j]!), 0);
      const want = [...list.items.map((i) => [i, scores[i]!] as const), ...[...vectors].filter(([row, v]) => ok(row) && dot(v) > last).map(([row, v]) => [row, dot(v)] as const)]
        .sort((a, b) => b[1] - a[1])
        .slice(0, depth);
      expect(Array.from(got.items)).toEqual(want.map((x) => x[0]));
      Array.from(got.scores).forEach((s, i) => expect(s).toBeCloseTo(want[i]![1], 5));
      for (const [row, v] of vectors) expect(Array.from(m.vectorOf(row)!)).toEqual(Array.from(v));
      expect(m.count).toBe(vectors.size);
    }
  });
});
