// Tests the slots of requests in flight against a plain set of the slots handed out: never the
// same slot twice while it is held, every value kept across growth, freed slots reused.

import { describe, expect, it } from 'vitest';
import { Rng } from '../../ts/data/random.js';
import { Slots } from './slots.js';

describe('Slots', () => {
  it('hands out each slot once while held and keeps the values when it grows', () => {
    const s = new Slots();
    const held = new Map<number, number>();
    const rng = new Rng(3);
    for (let step = 0; step < 20_000; step++) {
      // mostly take early (grows past 256 twice), then mostly free
      if (held.size === 0 || rng.nextFloat() < (step < 10_000 ? 0.7 : 0.3)) {
        const slot = s.take();
        expect(held.has(slot)).toBe(false);
        s.entry[slot] = step % 7;
        s.intended[slot] = step + 0.5;
        s.user[slot] = -1;
        held.set(slot, step);
      } else {
        const [slot, at] = [...held][rng.nextInt(held.size)]!;
        expect([s.entry[slot], s.intended[slot], s.user[slot]]).toEqual([at % 7, at + 0.5, -1]);
        s.release(slot);
        held.delete(slot);
      }
    }
    expect(s.entry.length).toBeGreaterThanOrEqual(1024);
    expect(Math.max(...held.keys())).toBeLessThan(s.entry.length);
  });
});
