// Owns checking a POST /v1/events body: one event or an array of up to MAX_BATCH events
// {eventId, userId, itemId, type, value?, timestamp?, recommendationId?, position?}. Every problem is reported by index and
// field; a batch with any bad event yields no events at all (nothing of it is stored). Valid
// events are stored with their own value (the per-type weights apply when events are read:
// ./feedback.ts, so a new weight re-weights the history). Values are bounded so that one event
// can never break fold-in or training: a rating lies within the rating scale (default -10 to 10; a
// rating ≤ 0 is a negative signal), the value of any other type is a positive multiplier of its
// weight, at most maxValue (default 100).

import { EVENT_TYPES, type EventType, type TrackedEvent } from './types.js';
import { readId, readTimestamp } from './fields.js';

export const MAX_BATCH = 1000;

export { DEFAULT_WEIGHTS, type EventWeights } from './feedback.js';

/** Bounds on event values (the server's --rating-range and --max-event-value). */
export interface ValueLimits {
  /** Smallest and largest rating accepted, inclusive. */
  rating: readonly [number, number];
  /** Largest value (a multiplier of the type's weight) of a click, view, purchase or like. */
  maxValue: number;
}
export const DEFAULT_VALUE_LIMITS: ValueLimits = { rating: [-10, 10], maxValue: 100 };

export interface EventError {
  /** Position in the batch (0 for a single event). */
  index: number;
  field: string;
  message: string;
}

export interface ValidateOptions {
  limits?: Partial<ValueLimits>;
  /** Longest id, characters (default 256). */
  maxIdLength?: number;
  /** Receive time, ms (default Date.now()). */
  now?: number;
}

export type Validated = { ok: true; events: TrackedEvent[] } | { ok: false; errors: EventError[] };

const FIELDS = new Set(['eventId', 'userId', 'itemId', 'type', 'value', 'timestamp', 'recommendationId', 'position']);

export function validateEvents(body: unknown, o: ValidateOptions = {}): Validated {
  const batch = Array.isArray(body) ? body : [body];
  if (batch.length === 0) return { ok: false, errors: [{ index: 0, field: '', message: 'the batch is empty' }] };
  if (batch.length > MAX_BATCH) return { ok: false, errors: [{ index: MAX_BATCH, field: '', message: `a batch holds at most ${MAX_BATCH} events, got ${batch.length}` }] };
  const limits = { ...DEFAULT_VALUE_LIMITS, ...o.limits };
  const [minRating, maxRating] = limits.rating;
  const now = o.now ?? Date.now();
  const errors: EventError[] = [];
  const events: TrackedEvent[] = [];
  batch.forEach((raw: unknown, index) => {
    const err = (field: string, message: string) => void errors.push({ index, field, message });
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return err('', 'an event must be a JSON object');
    const e = raw as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!FIELDS.has(k)) err(k, `unknown field; allowed: ${[...FIELDS].join(', ')}`);
    const id = (field: 'eventId' | 'userId' | 'itemId'): string => readId(e[field], field, o.maxIdLength ?? 256, err);
    const eventId = id('eventId');
    const userId = id('userId');
    const itemId = id('itemId');
    const type = e.type as EventType;
    const typeOk = typeof type === 'string' && (EVENT_TYPES as readonly string[]).includes(type);
    if (!typeOk) err('type', `must be one of ${EVENT_TYPES.join(', ')}`);
    const v = e.value;
    const valueOk = v === undefined || (typeof v === 'number' && Number.isFinite(v));
    if (!valueOk) err('value', 'must be a finite number');
    else if (typeOk && type === 'rating' && v === undefined) err('value', 'a rating needs a value');
    else if (typeOk && type === 'rating' && (v! < minRating || v! > maxRating)) err('value', `a rating must lie within the rating scale, ${minRating} to ${maxRating}; got ${v}`);
    else if (typeOk && type !== 'rating' && v !== undefined && v <= 0) err('value', `must be positive for a ${type}`);
    else if (typeOk && type !== 'rating' && v !== undefined && v > limits.maxValue) err('value', `at most ${limits.maxValue} for a ${type}; got ${v}`);
    const timestamp = readTimestamp(e.timestamp, now);
    if (timestamp === null) err('timestamp', 'must be an ISO 8601 date-time or ms since the epoch, from 2000 to now');
    const rec = e.recommendationId;
    if (rec !== undefined && (typeof rec !== 'string' || rec === '' || rec.length > (o.maxIdLength ?? 256)))
      err('recommendationId', `a non-empty string of at most ${o.maxIdLength ?? 256} characters`);
    const pos = e.position;
    if (pos !== undefined && !(typeof pos === 'number' && Number.isInteger(pos) && pos >= 0 && pos < 1000)) err('position', 'a whole number from 0 to 999');
    if (pos !== undefined && rec === undefined) err('position', 'goes with recommendationId');
    if (errors.length > 0) return;
    const value = type === 'rating' ? (v as number) : (type === 'dislike' ? -1 : 1) * ((v as number | undefined) ?? 1);
    events.push({
      eventId,
      userId,
      itemId,
      type,
      value,
      timestamp: timestamp!,
      receivedAt: now,
      ...(rec !== undefined && { recommendationId: rec as string }),
      ...(pos !== undefined && { position: pos as number }),
    });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, events };
}
