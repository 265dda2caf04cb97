// Owns the events that travel with a fold-in hand-off instead of being read back from the event
// store: those of users new to the store (the append that stored them held all of that user's
// events: ../events/types.ts appendTellingNew). They cross to the fold-in worker as columns (an
// array of strings per text field, one Float64Array for the numbers: cheap to clone, unlike an
// object per event), and come out in the order the store reads a user's events back (timestamp,
// then receivedAt, then eventId).

import type { FoldInEvent, TrackedEvent } from '../events/types.js';

export interface CarriedEvents {
  /** Two per user of the batch: where their events start in the columns, and how many (−1: none carried, read them from the store). */
  at: Int32Array;
  eventId: string[];
  itemId: string[];
  type: string[];
  /** Three per event: value, timestamp, receivedAt. */
  numbers: Float64Array;
}

/** A user's events in the store's read order (a copy when they need sorting). */
export function inStoreOrder<E extends FoldInEvent & Pick<TrackedEvent, 'receivedAt'>>(events: readonly E[]): readonly E[] {
  if (events.length < 2) return events;
  return [...events].sort((a, b) => a.timestamp - b.timestamp || a.receivedAt - b.receivedAt || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
}

/** The batch's carried events (users[i]'s from `of`), or undefined when no user's are. */
export function packCarried(users: readonly string[], of: (userId: string) => readonly TrackedEvent[] | undefined): CarriedEvents | undefined {
  const at = new Int32Array(2 * users.length).fill(-1);
  const c: CarriedEvents = { at, eventId: [], itemId: [], type: [], numbers: new Float64Array(0) };
  const numbers: number[] = [];
  users.forEach((u, i) => {
    const events = of(u);
    if (!events) return;
    at[2 * i] = c.eventId.length;
    at[2 * i + 1] = events.length;
    for (const e of events) {
      c.eventId.push(e.eventId);
      c.itemId.push(e.itemId);
      c.type.push(e.type);
      numbers.push(e.value, e.timestamp, e.receivedAt);
    }
  });
  if (c.eventId.length === 0) return undefined;
  c.numbers = Float64Array.from(numbers);
  return c;
}

/** users[i]'s carried events, in the store's read order, or null when theirs were not carried. */
export function carriedOf(c: CarriedEvents, i: number, userId: string): readonly FoldInEvent[] | null {
  const n = c.at[2 * i + 1]!;
  if (n < 0) return null;
  const start = c.at[2 * i]!;
  const out: (FoldInEvent & { receivedAt: number })[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const j = start + k;
    out[k] = {
      eventId: c.eventId[j]!,
      userId,
      itemId: c.itemId[j]!,
      type: c.type[j] as FoldInEvent['type'],
      value: c.numbers[3 * j]!,
      timestamp: c.numbers[3 * j + 1]!,
      receivedAt: c.numbers[3 * j + 2]!,
    };
  }
  return inStoreOrder(out);
}
