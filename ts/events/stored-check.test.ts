// Stored rows no model can use (from before values were bounded) are recognised, counted and named.

import { describe, expect, it } from 'vitest';
import { checkStoredEvent, StoredRowSkips } from './stored-check.js';
import type { TrackedEvent } from './types.js';

const ev = (eventId: string, value: number, type: TrackedEvent['type'] = 'rating'): TrackedEvent => ({ eventId, userId: 'u', itemId: 'i', type, value, timestamp: 1e12, receivedAt: 1e12 });

describe('checkStoredEvent', () => {
  it('accepts ordinary rows, negative ratings included', () => {
    for (const e of [ev('a', 4), ev('b', -2), ev('c', 0), ev('d', 3, 'purchase')]) expect(checkStoredEvent(e)).toBeNull();
  });

  it('names the field of an unusable row', () => {
    expect(checkStoredEvent(ev('x', Infinity))).toMatchObject({ eventId: 'x', userId: 'u', field: 'value', message: 'Infinity is not a finite number' });
    expect(checkStoredEvent(ev('y', 1e30))?.message).toMatch(/beyond/);
    expect(checkStoredEvent(ev('z', -1, 'click'))?.message).toMatch(/not positive for a click/);
    expect(checkStoredEvent({ ...ev('t', 1), type: 'poke' as TrackedEvent['type'] })?.field).toBe('type');
  });
});

describe('StoredRowSkips', () => {
  it('counts every skipped row and keeps the first few', () => {
    const s = new StoredRowSkips(2);
    const kept = [ev('a', 1), ev('b', NaN), ev('c', 2), ev('d', 1e39), ev('e', 1e308)].filter((e) => s.accept(e));
    expect(kept.map((e) => e.eventId)).toEqual(['a', 'c']);
    expect(s.count).toBe(3);
    expect(s.first.map((p) => p.eventId)).toEqual(['b', 'd']);
    expect(s.describe()).toMatch(/^b \(user u, value: NaN is not a finite number\); d .*; and 1 more$/);
  });
});
