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
});
