// Owns impressions: what a client reports it actually showed of a recommendation — the
// recommendationId the response carried, the user, and each item shown with its position — and
// checking a POST /v1/impressions body ({recommendationId, userId, items: [{itemId, position}],
// timestamp?}, or an array of up to 100 of them; every problem named by index and field, a bad
// body stores nothing). One impression is stored per (recommendationId, position): a resend is a
// duplicate, stored once.

import { readId, readTimestamp } from './fields.js';

export const MAX_IMPRESSION_BATCH = 100;
export const MAX_ITEMS_SHOWN = 1000;

/** One item shown. */
export interface Impression {
  recommendationId: string;
  userId: string;
  itemId: string;
  /** 0-based position in what was shown. */
  position: number;
  /** When it was shown, ms since the epoch (the client's, or the time it was received). */
  shownAt: number;
  receivedAt: number;
}

export interface ImpressionResult {
  accepted: number;
  duplicates: number;
}

export interface ImpressionError {
  index: number;
  field: string;
  message: string;
}

const FIELDS = new Set(['recommendationId', 'userId', 'items', 'timestamp']);

export function validateImpressions(body: unknown, o: { maxIdLength?: number; now?: number } = {}): { ok: true; impressions: Impression[] } | { ok: false; errors: ImpressionError[] } {
  const batch = Array.isArray(body) ? body : [body];
  const errors: ImpressionError[] = [];
  if (batch.length === 0) return { ok: false, errors: [{ index: 0, field: '', message: 'the batch is empty' }] };
  if (batch.length > MAX_IMPRESSION_BATCH)
    return { ok: false, errors: [{ index: MAX_IMPRESSION_BATCH, field: '', message: `a batch holds at most ${MAX_IMPRESSION_BATCH} impressions, got ${batch.length}` }] };
  const max = o.maxIdLength ?? 256;
  const now = o.now ?? Date.now();
  const out: Impression[] = [];
  batch.forEach((raw: unknown, index) => {
    const err = (field: string, message: string) => void errors.push({ index, field, message });
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return err('', 'an impression must be a JSON object');
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r)) if (!FIELDS.has(k)) err(k, `unknown field; allowed: ${[...FIELDS].join(', ')}`);
    const id = (v: unknown, field: string): string => readId(v, field, max, err);
    const recommendationId = id(r.recommendationId, 'recommendationId');
    const userId = id(r.userId, 'userId');
    const ms = readTimestamp(r.timestamp, now);
    if (ms === null) err('timestamp', 'must be an ISO 8601 date-time or ms since the epoch, from 2000 to now');
    const items = r.items;
    if (!Array.isArray(items) || items.length === 0) return err('items', 'required: a non-empty array of {itemId, position}');
    if (items.length > MAX_ITEMS_SHOWN) return err('items', `at most ${MAX_ITEMS_SHOWN} items, got ${items.length}`);
    const positions = new Set<number>();
    items.forEach((it: unknown, j) => {
      const at = `items[${j}]`;
      if (typeof it !== 'object' || it === null) return err(at, 'must be {itemId, position}');
      const x = it as Record<string, unknown>;
      for (const k of Object.keys(x)) if (k !== 'itemId' && k !== 'position') err(`${at}.${k}`, 'unknown field; allowed: itemId, position');
      const itemId = id(x.itemId, `${at}.itemId`);
      const p = x.position;
      if (!(typeof p === 'number' && Number.isInteger(p) && p >= 0 && p < MAX_ITEMS_SHOWN)) return err(`${at}.position`, `must be a whole number from 0 to ${MAX_ITEMS_SHOWN - 1}`);
      if (positions.has(p)) return err(`${at}.position`, `position ${p} is given twice`);
      positions.add(p);
      if (itemId !== '') out.push({ recommendationId, userId, itemId, position: p, shownAt: ms!, receivedAt: now });
    });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, impressions: out };
}
