// Owns the form a batch of events takes to cross to the SQLite writer thread: one array per field
// (ids and types as arrays of strings, the numbers in one Float64Array) instead of an array of
// event objects. Structured clone copies strings and typed arrays cheaply but an object costs
// its keys and shape on both sides: the request thread paid about a microsecond per event to post
// objects, and the writer as much to rebuild them.

import type { EventType, TrackedEvent } from './types.js';

export interface EventColumns {
  eventId: string[];
  userId: string[];
  itemId: string[];
  type: string[];
  /** Per event: value, timestamp, receivedAt, position (NaN: none). */
  numbers: Float64Array;
  /** Per event, null when it names none; null when no event of the batch does. */
  recommendationId: (string | null)[] | null;
}

const NUMBERS = 4;

export function toColumns(events: readonly TrackedEvent[]): EventColumns {
  const n = events.length;
  const c: EventColumns = { eventId: new Array(n), userId: new Array(n), itemId: new Array(n), type: new Array(n), numbers: new Float64Array(NUMBERS * n), recommendationId: null };
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    c.eventId[i] = e.eventId;
    c.userId[i] = e.userId;
    c.itemId[i] = e.itemId;
    c.type[i] = e.type;
    c.numbers[NUMBERS * i] = e.value;
    c.numbers[NUMBERS * i + 1] = e.timestamp;
    c.numbers[NUMBERS * i + 2] = e.receivedAt;
    c.numbers[NUMBERS * i + 3] = e.position ?? NaN;
    if (e.recommendationId !== undefined) (c.recommendationId ??= new Array<string | null>(n).fill(null))[i] = e.recommendationId;
  }
  return c;
}

/** The events again, each with the fields it had (the optional ones only when set). */
export function fromColumns(c: EventColumns): TrackedEvent[] {
  const n = c.eventId.length;
  const out: TrackedEvent[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const e: TrackedEvent = {
      eventId: c.eventId[i]!,
      userId: c.userId[i]!,
      itemId: c.itemId[i]!,
      type: c.type[i] as EventType,
      value: c.numbers[NUMBERS * i]!,
      timestamp: c.numbers[NUMBERS * i + 1]!,
      receivedAt: c.numbers[NUMBERS * i + 2]!,
    };
    const rec = c.recommendationId?.[i];
    if (rec !== undefined && rec !== null) e.recommendationId = rec;
    const position = c.numbers[NUMBERS * i + 3]!;
    if (!Number.isNaN(position)) e.position = position;
    out[i] = e;
  }
  return out;
}
