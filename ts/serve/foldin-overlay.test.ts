// The fold-in lists' bounds: least recently used evicted first, by entries and by estimated bytes;
// evicted users remembered (no false negatives; few false positives at a million users).

import { describe, expect, it } from 'vitest';
import { entryBytes, FoldInOverlayCache, type FoldInList } from './foldin-overlay.js';

const list = (n: number): FoldInList => ({ modelVersion: 'v1', items: new Uint32Array(n), scores: new Float32Array(n), seen: new Uint32Array(1) });

describe('FoldInOverlayCache', () => {
  it('evicts the least recently used beyond the entry bound', () => {
    const c = new FoldInOverlayCache({ maxEntries: 2, maxBytes: 1 << 30 });
    c.set('a', list(10));
    c.set('b', list(10));
    expect(c.get('a')).toBeDefined(); // a is now the most recent
    c.set('c', list(10));
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a') !== undefined, c.get('c') !== undefined]).toEqual([true, true]);
    expect(c.evictions).toBe(1);
    expect(c.mayHaveEvicted('b')).toBe(true);
  });

  it('keeps the estimated bytes within the byte bound, and counts them back on delete', () => {
    const one = entryBytes('u0', list(100));
    const c = new FoldInOverlayCache({ maxEntries: 1000, maxBytes: 3 * one });
    for (let i = 0; i < 10; i++) c.set(`u${i}`, list(100));
    expect(c.size).toBe(3);
    expect(c.bytes).toBe(3 * one);
    expect(c.delete('u9')).toBe(true);
    expect(c.bytes).toBe(2 * one);
    c.set('u8', list(50)); // replacing an entry counts the new size only
    expect(c.bytes).toBe(one + entryBytes('u8', list(50)));
  });

  it('remembers every evicted user, with under 3 % false positives after 1M evictions', () => {
    const c = new FoldInOverlayCache({ maxEntries: 1, maxBytes: 1 << 30 });
    for (let i = 0; i < 1_000_000; i++) c.remember(`user-${i}`);
    for (let i = 0; i < 1_000_000; i += 997) expect(c.mayHaveEvicted(`user-${i}`)).toBe(true);
    let fp = 0;
    for (let i = 0; i < 100_000; i++) if (c.mayHaveEvicted(`other-${i}`)) fp++;
    expect(fp / 100_000).toBeLessThan(0.03);
    expect(new FoldInOverlayCache().mayHaveEvicted('anyone')).toBe(false);
  });

  it('gives back what was set, vector and model version included, from its own copy', () => {
    const c = new FoldInOverlayCache();
    const items = Uint32Array.of(5, 3, 9);
    const a: FoldInList = { modelVersion: 'v1', items, scores: Float32Array.of(0.9, 0.5, -0.25), seen: Uint32Array.of(1, 2), vector: Float32Array.of(0.1, -2, 3.5) };
    c.set('a', a);
    c.set('b', { modelVersion: 'v2', items: Uint32Array.of(7), scores: Float32Array.of(1.5), seen: new Uint32Array(0) });
    c.set('e', { modelVersion: 'v1', items: new Uint32Array(0), scores: new Float32Array(0), seen: Uint32Array.of(4) });
    items[0] = 99; // the caller's arrays are not kept
    const got = c.get('a')!;
    expect(got.modelVersion).toBe('v1');
    expect([...got.items]).toEqual([5, 3, 9]);
    expect([...got.scores]).toEqual([...a.scores]);
    expect([...got.seen]).toEqual([1, 2]);
    expect([...got.vector!]).toEqual([...a.vector!]);
    const b = c.get('b')!;
    expect([b.modelVersion, [...b.items], [...b.scores], b.seen.length, b.vector]).toEqual(['v2', [7], [1.5], 0, undefined]);
    const e = c.get('e')!;
    expect([e.items.length, e.scores.length, [...e.seen]]).toEqual([0, 0, [4]]);
    c.set('a', { modelVersion: 'v2', items: Uint32Array.of(1), scores: Float32Array.of(2), seen: Uint32Array.of(3) });
    expect([c.get('a')!.modelVersion, [...c.get('a')!.items], c.get('a')!.vector]).toEqual(['v2', [1], undefined]);
    expect(c.bytes).toBe(['a', 'b', 'e'].reduce((n, u) => n + entryBytes(u, c.get(u)!), 0));
  });
});
