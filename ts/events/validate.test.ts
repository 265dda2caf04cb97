// Validation of event bodies: single events and batches, weights, and per-index errors.

import { describe, expect, it } from 'vitest';
import { MAX_BATCH, validateEvents } from './validate.js';

const now = Date.UTC(2025, 0, 1);
const ok = { eventId: 'e1', userId: 'u', itemId: 'i', type: 'click' };

describe('validateEvents', () => {
  it('accepts one event, filling value (1) and timestamp (now)', () => {
    expect(validateEvents(ok, { now })).toEqual({ ok: true, events: [{ ...ok, value: 1, timestamp: now, receivedAt: now }] });
  });

  it('stores the multiplier (the weights apply when events are read); a rating is its value', () => {
    const r = validateEvents(
      [
        { ...ok, type: 'purchase' },
        { ...ok, type: 'view', value: 4 },
        { ...ok, type: 'rating', value: 4.5, timestamp: '2024-05-01T00:00:00Z' },
      ],
      { now },
    );
    expect(r.ok && r.events.map((e) => [e.value, e.timestamp])).toEqual([
      [1, now],
      [4, now],
      [4.5, Date.parse('2024-05-01T00:00:00Z')],
    ]);
  });

  it('lists every bad event by index and field, and returns no events', () => {
    const r = validateEvents([ok, { ...ok, type: 'poke', userId: '' }, 'x', { ...ok, type: 'rating' }, { ...ok, value: 'a', extra: 1, timestamp: 5 }], { now });
    expect(r).toEqual({
      ok: false,
      errors: [
        { index: 1, field: 'userId', message: expect.any(String) },
        { index: 1, field: 'type', message: expect.stringContaining('rating, click, view, purchase, like') },
        { index: 2, field: '', message: 'an event must be a JSON object' },
        { index: 3, field: 'value', message: 'a rating needs a value' },
        { index: 4, field: 'extra', message: expect.any(String) },
        { index: 4, field: 'value', message: 'must be a finite number' },
        { index: 4, field: 'timestamp', message: expect.any(String) },
      ],
    });
  });

  it('refuses empty and oversized batches', () => {
    expect(validateEvents([]).ok).toBe(false);
    expect(validateEvents(Array.from({ length: MAX_BATCH + 1 }, () => ok)).ok).toBe(false);
    expect(validateEvents(Array.from({ length: MAX_BATCH }, (_, i) => ({ ...ok, eventId: `e${i}` }))).ok).toBe(true);
  });

  it('refuses values no model can use, naming the index and field: huge, out of the rating scale, above the maximum', () => {
    const r = validateEvents(
      [
        { ...ok, type: 'rating', value: 1e30 },
        { ...ok, type: 'rating', value: 1e308 },
        { ...ok, type: 'click', value: 1e39 },
        { ...ok, type: 'rating', value: 11 },
        { ...ok, type: 'rating', value: -10.5 },
        { ...ok, type: 'view', value: 101 },
        { ...ok, type: 'rating', value: 0 },
        { ...ok, type: 'rating', value: -3 },
        { ...ok, type: 'like', value: 100 },
      ],
      { now },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.index, e.field])).toEqual([0, 1, 2, 3, 4, 5].map((i) => [i, 'value']));
    expect(r.errors[0]!.message).toMatch(/rating scale, -10 to 10; got 1e\+30/);
    expect(r.errors[5]!.message).toMatch(/at most 100 for a view; got 101/);
  });

  it('takes the rating scale and maximum value from the options', () => {
    const limits = { rating: [0.5, 5] as const, maxValue: 3 };
    expect(validateEvents({ ...ok, type: 'rating', value: 5 }, { now, limits }).ok).toBe(true);
    expect(validateEvents({ ...ok, type: 'rating', value: 0 }, { now, limits }).ok).toBe(false);
    expect(validateEvents({ ...ok, type: 'click', value: 4 }, { now, limits }).ok).toBe(false);
  });
});
