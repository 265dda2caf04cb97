// Events as columns for the writer thread: what a structured clone of the events gives back, the
// optional fields present only where they were set.

import { describe, expect, it } from 'vitest';
import { fromColumns, toColumns } from './event-columns.js';
import type { TrackedEvent } from './types.js';

describe('event columns', () => {
  it('round-trips every field through a structured clone, as the events themselves would', () => {
    const events: TrackedEvent[] = [
      { eventId: 'e1', userId: 'u1', itemId: 'i1', type: 'click', value: 1, timestamp: 1_700_000_000_000, receivedAt: 1_700_000_000_123 },
      { eventId: 'e2', userId: 'ü2', itemId: 'i 2', type: 'rating', value: -2.5, timestamp: 1e12, receivedAt: 1e12 + 1, recommendationId: 'ab'.repeat(16), position: 0 },
      { eventId: 'e3', userId: 'u3', itemId: 'i3', type: 'dislike', value: -1, timestamp: 2e12, receivedAt: 2e12, recommendationId: 'cd'.repeat(16), position: 999 },
      { eventId: 'e4', userId: 'u4', itemId: 'i4', type: 'purchase', value: 3, timestamp: 3e12, receivedAt: 3e12 },
    ];
    expect(fromColumns(structuredClone(toColumns(events)))).toEqual(structuredClone(events));
    expect(fromColumns(structuredClone(toColumns([events[0]!, events[3]!])))).toEqual([events[0], events[3]]);
    expect(toColumns([events[0]!]).recommendationId).toBeNull();
    expect(fromColumns(toColumns([]))).toEqual([]);
    for (const e of fromColumns(toColumns([events[0]!]))) expect(Object.keys(e)).toEqual(Object.keys(events[0]!));
  });
});
