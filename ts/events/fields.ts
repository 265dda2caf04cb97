// Owns reading the fields a client's events and impressions share: ids (non-empty, bounded, no
// control characters) and timestamps (ISO 8601 or ms since the epoch, from 2000 to a day from now).

/** Timestamps must fall between 2000-01-01 and a day from now. */
const MIN_TS = Date.UTC(2000, 0, 1);

/** `v` as an id (a non-empty string of at most `max` characters, no control characters), else '' after reporting why. */
export function readId(v: unknown, field: string, max: number, err: (field: string, message: string) => void): string {
  if (typeof v !== 'string' || v === '') err(field, 'required: a non-empty string');
  else if (v.length > max) err(field, `longer than ${max} characters`);
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u001f\u007f]/.test(v)) err(field, 'holds control characters');
  else return v;
  return '';
}

/** A client's timestamp (ISO 8601 or ms; `now` when absent) as ms, or null when it is not a time from 2000 to a day from now. */
export function readTimestamp(t: unknown, now: number): number | null {
  if (t === undefined) return now;
  const ms = typeof t === 'number' ? t : typeof t === 'string' && /^\d{4}-\d\d-\d\dT/.test(t) ? Date.parse(t) : NaN;
  return Number.isInteger(ms) && ms >= MIN_TS && ms <= now + 86_400_000 ? ms : null;
}
