// The key index against a Map: random adds and removes over many keys (strings and numbers, so
// runs of collisions form and the backward shift of deletion is exercised across the table's wrap),
// every key findable at its slot and no removed key found.

import { describe, expect, it } from 'vitest';
import { Rng } from '../data/random.js';
import { hashKey, KeyIndex, type Key } from './key-index.js';

describe('KeyIndex', () => {
  it('agrees with a Map through 100,000 random adds and removes', () => {
    const rng = new Rng(11);
    const keys: (Key | undefined)[] = [];
    const free: number[] = [];
    const index = new KeyIndex<Key>(keys);
    const ref = new Map<Key, number>();
    const universe: Key[] = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? i * 7 : i % 3 === 1 ? `user-${i}` : -i - 0.5));
    for (let step = 0; step < 100_000; step++) {
      const k = universe[rng.nextInt(universe.length)]!;
      const at = ref.get(k);
      if (at === undefined && rng.nextFloat() < 0.55) {
        const slot = free.length > 0 ? free.pop()! : keys.push(undefined) - 1;
        keys[slot] = k;
        index.add(k, slot);
        ref.set(k, slot);
      } else if (at !== undefined) {
        expect(index.remove(k)).toBe(true);
        keys[at] = undefined;
        free.push(at);
        ref.delete(k);
      } else expect(index.remove(k)).toBe(false);
      expect(index.find(k)).toBe(ref.get(k) ?? -1);
      if (step % 5000 === 0) for (const u of universe) expect(index.find(u)).toBe(ref.get(u) ?? -1);
      expect(index.size).toBe(ref.size);
    }
  });

  it('hashes integers by value and other keys by their characters', () => {
    expect(hashKey(42)).toBe(hashKey(42));
    expect(hashKey(42)).not.toBe(hashKey('42'));
    expect(hashKey(1.5)).toBe(hashKey('1.5'));
    expect(hashKey('')).toBe(hashKey(''));
    expect(new Set(Array.from({ length: 1000 }, (_, i) => hashKey(`u${i}`) & 1023)).size).toBeGreaterThan(550);
  });
});
