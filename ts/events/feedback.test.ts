// Feedback semantics: per-type weights (configurable, > 0, applied when events are read), dislikes
// stored negative and overriding earlier signals, low ratings as dislikes, time decay by half-life — in the one function training and fold-in share
// (interactions); ts/serve/dislike.test.ts checks a disliked item is never recommended back.

import { describe, expect, it } from 'vitest';
import { decayFactor, DEFAULT_FEEDBACK, DEFAULT_WEIGHTS, feedbackFromEnv, halfLifeFromEnv, ratingStrength, resolveFeedback, weightsFromEnv, type FeedbackSettings } from './feedback.js';
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

const S = (o: Partial<FeedbackSettings> = {}): FeedbackSettings => ({ ...DEFAULT_FEEDBACK, ...o });

describe('feedback semantics', () => {
  it('gives one event the value the general path gives it (the one-event shortcut), and nothing for an unknown item', () => {
    const known = (id: string) => (id === 'unknown' ? -1 : rowOf(id));
    for (const e of [ev('i4', 'click', 1, 3), ev('i2', 'rating', 4, 0), ev('i7', 'dislike', -2, 9), ev('i1', 'purchase', 2, 40), ev('i3', 'view', 1, 1)]) {
      const s = S({ halfLifeMs: 10 * DAY });
      const one = interactions([e], known, s, NOW);
      const general = interactions([e, ev('unknown', 'click', 1, 0)], known, s, NOW); // two events: the maps path
      expect({ items: [...one.items], values: [...one.values], used: one.used }).toEqual({ items: [...general.items], values: [...general.values], used: general.used });
    }
    expect(interactions([ev('unknown', 'like', 1, 0)], known, S(), NOW)).toEqual({ items: new Uint32Array(0), values: new Float32Array(0), used: 0 });
  });

  it('decays implicit values by 2^(−age / half-life), in the function training and fold-in share', () => {
    const events = [ev('i1', 'click', 1, 10), ev('i1', 'click', 1, 0), ev('i2', 'purchase', 1, 20), ev('i3', 'rating', 4, 30)];
    const plain = interactions(events, rowOf, S(), NOW);
    expect([...plain.values]).toEqual([2, 3, 4]);
    const decayed = interactions(events, rowOf, S({ halfLifeMs: 10 * DAY }), NOW);
    expect([...decayed.values].map((v) => Number(v.toFixed(6)))).toEqual([1.5, 0.75, 4]); // a rating keeps its value on its scale
    expect(decayFactor({ halfLifeMs: DAY, now: NOW }, NOW + DAY)).toBe(1); // a future event is not boosted
  });

  it('weighs each type when events are read, so new weights re-weigh what is stored', () => {
    const events = [ev('i1', 'view', 2, 1), ev('i2', 'purchase', 1, 1), ev('i3', 'like', 1, 1), ev('i3', 'click', 1, 0)];
    expect([...interactions(events, rowOf, S(), NOW).values]).toEqual([1, 3, 3]); // view 0.5 × 2; purchase 3; like 2 + click 1
    const w = { ...DEFAULT_WEIGHTS, view: 0.25, purchase: 5 };
    expect([...interactions(events, rowOf, S({ weights: w }), NOW).values]).toEqual([0.5, 5, 3]);
  });

  it('stores a dislike negative; it overrides the earlier signals of the item, and a later rating overrides it', () => {
    const v = validateEvents(
      [
        { eventId: 'd', userId: 'u', itemId: 'i1', type: 'dislike' },
        { eventId: 'd2', userId: 'u', itemId: 'i1', type: 'dislike', value: 2 },
      ],
      { now: NOW },
    );
    expect(v.ok && v.events.map((e) => e.value)).toEqual([-1, -2]);
    const w = { ...DEFAULT_WEIGHTS, dislike: 1.5 };
    expect([...interactions([ev('i1', 'dislike', -2, 2)], rowOf, S({ weights: w }), NOW).values]).toEqual([-3]);
    expect([...interactions([ev('i1', 'like', 2, 3), ev('i1', 'dislike', -1, 2)], rowOf, S(), NOW).values]).toEqual([-1]);
    expect([...interactions([ev('i1', 'dislike', -1, 2), ev('i1', 'rating', 5, 1)], rowOf, S(), NOW).values]).toEqual([5]);
    const bad = validateEvents({ eventId: 'x', userId: 'u', itemId: 'i', type: 'dislike', value: -1 }, { now: NOW });
    expect(bad.ok ? [] : bad.errors).toEqual([{ index: 0, field: 'value', message: 'must be positive for a dislike' }]);
  });

  it('counts a rating below --negative-below as a dislike (−the weight of dislike), in events and source ratings alike', () => {
    const s = S({ negativeBelow: 2, weights: { ...DEFAULT_WEIGHTS, dislike: 1.5 } });
    const events = [ev('i1', 'rating', 1, 3), ev('i2', 'rating', 2, 3), ev('i3', 'rating', 1.5, 3), ev('i4', 'click', 1, 3), ev('i5', 'rating', -1, 3)];
    // a rating of 2 is not below 2; a click of strength 1 is not a rating; a rating ≤ 0 is negative already
    expect([...interactions(events, rowOf, s, NOW).values]).toEqual([-1.5, 2, -1.5, 1, -1]);
    expect([1, 2, 1.5, 0, 5].map((r) => ratingStrength(r, s))).toEqual([-1.5, 2, -1.5, 0, 5]);
    expect(ratingStrength(1, S())).toBe(1); // off by default
  });

  it('reads weights, the half-life and the threshold from the environment, refusing weights ≤ 0 and a half-life of 0', () => {
    expect(weightsFromEnv({ RECS_EVENT_WEIGHTS: 'view=0.25, purchase=5' })).toEqual({ click: 1, view: 0.25, purchase: 5, like: 2, dislike: 1 });
    expect(() => weightsFromEnv({ RECS_EVENT_WEIGHTS: 'view=0' })).toThrow('RECS_EVENT_WEIGHTS: the weight of view must be a number > 0, got 0');
    expect(() => weightsFromEnv({ RECS_EVENT_WEIGHTS: 'poke=1' })).toThrow(/unknown event type "poke"/);
    expect(() => weightsFromEnv({ RECS_EVENT_WEIGHTS: 'view' })).toThrow(/"view" is not type=weight/);
    expect(halfLifeFromEnv({})).toBe(Infinity);
    expect(halfLifeFromEnv({ RECS_EVENT_HALF_LIFE_DAYS: '7' })).toBe(7 * DAY);
    expect(() => halfLifeFromEnv({ RECS_EVENT_HALF_LIFE_DAYS: '0' })).toThrow('RECS_EVENT_HALF_LIFE_DAYS must be a number of days > 0 (unset: no decay), got "0"');
    expect(feedbackFromEnv({ RECS_NEGATIVE_BELOW: '2.5' }).negativeBelow).toBe(2.5);
    expect(() => feedbackFromEnv({ RECS_NEGATIVE_BELOW: 'low' })).toThrow('RECS_NEGATIVE_BELOW must be a rating (a number; unset: off), got "low"');
  });

  it('lays options over the environment, each checked, the error naming the option', () => {
    const env = feedbackFromEnv({ RECS_EVENT_WEIGHTS: 'view=0.25', RECS_EVENT_HALF_LIFE_DAYS: '7' });
    const r = resolveFeedback(env, { eventWeights: { purchase: 4 }, negativeBelow: 2 });
    expect(r).toEqual({ weights: { ...DEFAULT_WEIGHTS, view: 0.25, purchase: 4 }, halfLifeMs: 7 * DAY, negativeBelow: 2 });
    expect(resolveFeedback(env, { eventHalfLifeDays: 30 }).halfLifeMs).toBe(30 * DAY);
    const names = { weights: '--event-weights', halfLife: '--event-half-life-days', negativeBelow: '--negative-below' };
    expect(() => resolveFeedback(env, { eventWeights: { view: -1 } }, names)).toThrow('--event-weights: the weight of view must be a number > 0, got -1');
    expect(() => resolveFeedback(env, { eventHalfLifeDays: 0 }, names)).toThrow('--event-half-life-days must be a number of days > 0 (leave it out for no decay), got 0');
  });
});
