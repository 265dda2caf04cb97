// The slab allocator against a reference: random records allocated, filled, freed; no two live
// records share a word, every record reads back what was written, freed slots are reused and
// chunks released, so the memory held follows the records held.

import { describe, expect, it } from 'vitest';
import { Rng } from '../data/random.js';
import { Slab } from './slab.js';

describe('Slab', () => {
  it('keeps 20,000 random records apart and intact through allocation and release', () => {
    const slab = new Slab();
    const rng = new Rng(7);
    const next = () => rng.nextFloat();
    const live = new Map<number, { words: number; tag: number }>();
    const fill = (h: number, words: number, tag: number) => {
      const w = slab.words(h);
      const at = slab.at(h);
      for (let i = 0; i < words; i++) w[at + i] = tag + i;
    };
    const check = (h: number, words: number, tag: number) => {
      const w = slab.words(h);
      const at = slab.at(h);
      for (let i = 0; i < words; i++) if (w[at + i] !== (tag + i) >>> 0) throw new Error(`record ${h} word ${i} was overwritten`);
    };
    let tag = 1;
    for (let op = 0; op < 20_000; op++) {
      if (live.size > 0 && next() < 0.45) {
        const handles = [...live.keys()];
        const h = handles[Math.floor(next() * handles.length)]!;
        const r = live.get(h)!;
        check(h, r.words, r.tag);
        slab.free(h);
        live.delete(h);
      } else {
        // mostly fold-in sized records, a few beyond a chunk
        const words = next() < 0.01 ? 70_000 + Math.floor(next() * 1000) : 1 + Math.floor(next() * next() * 3000);
        const h = slab.alloc(words);
        expect(live.has(h)).toBe(false);
        fill(h, words, (tag += 100_000));
        live.set(h, { words, tag });
      }
    }
    for (const [h, r] of live) check(h, r.words, r.tag);
    const held = [...live.values()].reduce((n, r) => n + 4 * Slab.slotWords(r.words), 0);
    expect(slab.reservedBytes).toBeGreaterThanOrEqual(held);
    for (const h of live.keys()) slab.free(h);
    // every chunk is released but at most one per size class (kept for the next record)
    expect(slab.reservedBytes).toBeLessThanOrEqual(8 * (256 << 10));
  });

  it('reuses a freed slot for the next record of its class', () => {
    const slab = new Slab();
    const a = slab.alloc(100);
    const b = slab.alloc(100);
    expect(slab.words(a)).toBe(slab.words(b));
    expect(Math.abs(slab.at(b) - slab.at(a))).toBe(128);
    slab.free(a);
    expect(slab.alloc(120)).toBe(a);
    expect(slab.reservedBytes).toBe(256 << 10);
    const big = slab.alloc(100_000);
    expect(slab.at(big)).toBe(0);
    expect(slab.words(big).length).toBe(100_000);
    expect(slab.reservedBytes).toBe((256 << 10) + 400_000);
    slab.free(big);
    expect(slab.reservedBytes).toBe(256 << 10);
    expect(() => slab.alloc(0)).toThrow('slab: a record of 0 words');
  });
});
