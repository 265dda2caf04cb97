import { describe, expect, it } from 'vitest';
import { Lru } from './lru.js';

/** The reference: an array of [key, value], oldest first, every operation by linear search. */
class ArrayLru {
  items: [string, number][] = [];
  private at(k: string) {
    return this.items.findIndex(([x]) => x === k);
  }
  get(k: string, touch: boolean) {
    const i = this.at(k);
    if (i < 0) return undefined;
    const e = this.items[i]!;
    if (touch) this.items.push(...this.items.splice(i, 1));
    return e[1];
  }
  set(k: string, v: number, move: boolean) {
    const i = this.at(k);
    if (i >= 0 && !move) this.items[i]![1] = v;
    else {
      if (i >= 0) this.items.splice(i, 1);
      this.items.push([k, v]);
    }
  }
  delete(k: string) {
    const i = this.at(k);
    if (i >= 0) this.items.splice(i, 1);
    return i >= 0;
  }
}

describe('Lru', () => {
  it('keeps use order like a linear reference through 20,000 random operations', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const lru = new Lru<string, number>();
    const ref = new ArrayLru();
    for (let step = 0; step < 20_000; step++) {
      const k = `k${rand(60)}`;
      switch (rand(8)) {
        case 0:
        case 1:
          lru.set(k, step);
          ref.set(k, step, true);
          break;
        case 2:
          lru.replace(k, step);
          ref.set(k, step, false);
          break;
        case 3:
          expect(lru.get(k)).toBe(ref.get(k, true));
          break;
        case 4:
          expect(lru.peek(k)).toBe(ref.get(k, false));
          expect(lru.has(k)).toBe(ref.get(k, false) !== undefined);
          break;
        case 5:
          expect(lru.touch(k)).toBe(ref.get(k, true) !== undefined);
          break;
        case 6:
          expect(lru.delete(k)).toBe(ref.delete(k));
          break;
        default:
          expect(lru.shift()).toEqual(ref.items.shift());
      }
      expect(lru.size).toBe(ref.items.length);
      expect(lru.oldest()).toEqual(ref.items[0]);
      if (step % 97 === 0) expect([...lru.entries()]).toEqual(ref.items);
    }
  });

  it('reuses freed slots, and empties', () => {
    const lru = new Lru<number, string>();
    for (let i = 0; i < 100; i++) lru.set(i, `v${i}`);
    for (let i = 0; i < 50; i++) lru.shift();
    for (let i = 100; i < 150; i++) lru.set(i, `v${i}`);
    expect(lru.size).toBe(100);
    expect(lru.oldest()).toEqual([50, 'v50']);
    while (lru.size > 0) lru.shift();
    expect(lru.shift()).toBeUndefined();
    lru.set(1, 'a');
    expect([...lru.entries()]).toEqual([[1, 'a']]);
  });

  it('evicts the oldest in constant time where a full Map walks its deleted entries', () => {
    // not a timing claim (bench/lru.ts measures): the count of slots never exceeds the most held
    const lru = new Lru<string, number>();
    for (let i = 0; i < 1000; i++) lru.set(`u${i}`, i);
    for (let i = 1000; i < 50_000; i++) {
      lru.set(`u${i}`, i);
      lru.shift();
    }
    expect(lru.size).toBe(1000);
    expect((lru as unknown as { keys: unknown[] }).keys.length).toBe(1001);
  });
});
