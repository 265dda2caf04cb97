// Feedback semantics: per-type weights (configurable, > 0), dislikes stored negative and overriding
// earlier signals, time decay by half-life — in the one function training and fold-in share
// (interactions); ts/serve/dislike.test.ts checks a disliked item is never recommended back.

import { describe, expect, it } from 'vitest';
import { decayFactor, halfLifeFromEnv, weightsFromEnv } from './feedback.js';
import { interactions } from './foldin.js';
import type { TrackedEvent } from './types.js';
import { validateEvents } from './validate.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 31);
const ev = (itemId: string, type: TrackedEvent['type'], value: number, daysAgo: number): TrackedEvent => ({
  eventId: `${itemId}-${type}-${daysAgo}`,
  userId: 'u',
  itemId,
  type,
  value,
  timestamp: NOW - daysAgo * DAY,
  receivedAt: NOW,
});
const rowOf = (id: string) => Number(id.slice(1));

describe('feedback semantics', () => {
  it('decays implicit values by 2^(−age / half-life), in the function training and fold-in share', () => {
    const events = [ev('i1', 'click', 1, 10), ev('i1', 'click', 1, 0), ev('i2', 'purchase', 3, 20), ev('i3', 'rating', 4, 30)];
    const plain = interactions(events, rowOf);
    expect([...plain.values]).toEqual([2, 3, 4]);
    const decayed = interactions(events, rowOf, { halfLifeMs: 10 * DAY, now: NOW });
    expect([...decayed.values].map((v) => Number(v.toFixed(6)))).toEqual([1.5, 0.75, 4]); // a rating keeps its value on its scale
    expect(decayFactor({ halfLifeMs: DAY, now: NOW }, NOW + DAY)).toBe(1); // a future event is not boosted
  });

  it('stores a dislike negative; it overrides the earlier signals of the item, and a later rating overrides it', () => {
    const v = validateEvents(
      [
        { eventId: 'd', userId: 'u', itemId: 'i1', type: 'dislike' },
        { eventId: 'd2', userId: 'u', itemId: 'i1', type: 'dislike', value: 2 },
      ],
      { weights: { dislike: 1.5 }, now: NOW },
    );
    expect(v.ok && v.events.map((e) => e.value)).toEqual([-1.5, -3]);
    expect([...interactions([ev('i1', 'like', 2, 3), ev('i1', 'dislike', -1, 2)], rowOf).values]).toEqual([-1]);
    expect([...interactions([ev('i1', 'dislike', -1, 2), ev('i1', 'rating', 5, 1)], rowOf).values]).toEqual([5]);
    const bad = validateEvents({ eventId: 'x', userId: 'u', itemId: 'i', type: 'dislike', value: -1 }, { now: NOW });
    expect(bad.ok ? [] : bad.errors).toEqual([{ index: 0, field: 'value', message: 'must be positive for a dislike' }]);
  });

  it('reads weights and the half-life from the environment, refusing weights ≤ 0 and a half-life of 0', () => {
    expect(weightsFromEnv({ RECS_EVENT_WEIGHTS: 'view=0.25, purchase=5' })).toEqual({ click: 1, view: 0.25, purchase: 5, like: 2, dislike: 1 });
    expect(() => weightsFromEnv({ RECS_EVENT_WEIGHTS: 'view=0' })).toThrow('RECS_EVENT_WEIGHTS: the weight of view must be a number > 0, got 0');
    expect(() => weightsFromEnv({ RECS_EVENT_WEIGHTS: 'poke=1' })).toThrow(/unknown event type "poke"/);
    expect(() => weightsFromEnv({ RECS_EVENT_WEIGHTS: 'view' })).toThrow(/"view" is not type=weight/);
    expect(halfLifeFromEnv({})).toBe(Infinity);
    expect(halfLifeFromEnv({ RECS_EVENT_HALF_LIFE_DAYS: '7' })).toBe(7 * DAY);
    expect(() => halfLifeFromEnv({ RECS_EVENT_HALF_LIFE_DAYS: '0' })).toThrow('RECS_EVENT_HALF_LIFE_DAYS must be a number of days > 0 (unset: no decay), got "0"');
  });
});
