// Owns checking an event read back from a store before it feeds fold-in or training: rows stored
// by an older version (before values were bounded, see ./validate.ts) may hold values no model
// can use (1e39 is Infinity as a float, 1e30 overflows when squared). Training skips such a row,
// counts it and names the first few (StoredRowSkips); fold-in leaves it out.

import { EVENT_TYPES, type FoldInEvent, type TrackedEvent } from './types.js';

/** Largest magnitude of a stored value that fold-in and training accept (far above any bound validation allows). */
export const STORED_VALUE_LIMIT = 1e6;

export interface StoredRowProblem {
  eventId: string;
  userId: string;
  field: string;
  message: string;
}

/** What is wrong with a stored event, or null when it is usable. */
export function checkStoredEvent(e: FoldInEvent): StoredRowProblem | null {
  const bad = (field: string, message: string): StoredRowProblem => ({ eventId: String(e.eventId), userId: String(e.userId), field, message });
  if (typeof e.userId !== 'string' || e.userId === '') return bad('userId', 'empty');
  if (typeof e.itemId !== 'string' || e.itemId === '') return bad('itemId', 'empty');
  if (!(EVENT_TYPES as readonly string[]).includes(e.type)) return bad('type', `unknown type ${JSON.stringify(e.type)}`);
  if (typeof e.value !== 'number' || !Number.isFinite(e.value)) return bad('value', `${e.value} is not a finite number`);
  if (Math.abs(e.value) > STORED_VALUE_LIMIT) return bad('value', `${e.value} is beyond ±${STORED_VALUE_LIMIT}`);
  if (e.type === 'dislike' ? e.value >= 0 : e.type !== 'rating' && e.value <= 0) return bad('value', `${e.value} is not ${e.type === 'dislike' ? 'negative' : 'positive'} for a ${e.type}`);
  if (!Number.isFinite(e.timestamp)) return bad('timestamp', `${e.timestamp} is not a time`);
  return null;
}

/** Counts the stored rows skipped and keeps the first few, for the output and the manifest. */
export class StoredRowSkips {
  count = 0;
  readonly first: StoredRowProblem[] = [];

  constructor(private readonly keep = 5) {}

  /** True when `e` is usable; else counts it (and names it while fewer than `keep` are named). */
  accept(e: TrackedEvent): boolean {
    const p = checkStoredEvent(e);
    if (!p) return true;
    this.count++;
    if (this.first.length < this.keep) this.first.push(p);
    return false;
  }

  /** "eventId (user, field: message)" of the first few, for a log line. */
  describe(): string {
    const named = this.first.map((p) => `${p.eventId} (user ${p.userId}, ${p.field}: ${p.message})`).join('; ');
    return this.count > this.first.length ? `${named}; and ${this.count - this.first.length} more` : named;
  }
}
