// Owns JSONL rating lines: {"user": .., "item": .., "rating": .., "timestamp": ..} objects (keys
// mapped like CSV headers) or positional [user, item, rating?, timestamp?] arrays.

import { resolveColumns, type ColumnRef } from './columns.js';
import type { IdMap } from './id-map.js';
import { fieldText } from './numbers.js';
import type { ParseContext } from './parse-context.js';
import type { RecordHandler } from './scanner.js';

type Key = string | number | null;

export function makeJsonlHandler(ctx: ParseContext): RecordHandler {
  const { builder, bad, opts } = ctx;
  const implicit = opts.implicitRating ?? 1;
  const spec = opts.columns ?? {};
  let keys: { user: Key; item: Key; rating: Key; timestamp: Key } | null = null;

  return (buf, rec) => {
    if (rec.blank) {
      ctx.blankLines++;
      return;
    }
    const line = fieldText(buf, rec.start, rec.end, false, 'utf8');
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      return bad.report(rec.line, 'line', line, `invalid JSON (${(e as Error).message})`);
    }
    if (typeof value !== 'object' || value === null) return bad.report(rec.line, 'line', line, 'not a JSON object or array');
    const row = value as Record<string | number, unknown>;
    if (keys === null) {
      // Keys come from the first row: object keys act as a header, arrays are positional.
      const names = Array.isArray(value) ? null : Object.keys(value);
      const cols = resolveColumns(ctx.source, names, names ? names.length : (value as unknown[]).length, spec);
      const key = (idx: number, ref: ColumnRef | null | undefined): Key => (idx < 0 ? null : names ? (typeof ref === 'string' ? ref : names[idx]!) : idx);
      keys = {
        user: key(cols.user, spec.user),
        item: key(cols.item, spec.item),
        rating: key(cols.rating, spec.rating),
        timestamp: key(cols.timestamp, spec.timestamp),
      };
      ctx.columns = cols;
    }
    const u = idOf(row[keys.user!]);
    if (u === '') return bad.report(rec.line, 'user', show(row[keys.user!]), missingOrEmpty(row[keys.user!]));
    const i = idOf(row[keys.item!]);
    if (i === '') return bad.report(rec.line, 'item', show(row[keys.item!]), missingOrEmpty(row[keys.item!]));
    let rating = implicit;
    // null, "" or an absent key: missing (NaN, counted), not malformed.
    if (keys.rating !== null) {
      const v = row[keys.rating];
      rating = num(v);
      if (isMissing(v)) ctx.missing.rating++;
      else if (!Number.isFinite(rating)) return bad.report(rec.line, 'rating', show(v), 'not a number');
    }
    let ts = NaN; // the rating's steps again for the timestamp, written out on purpose: this is the per-row loop of the parser
    if (keys.timestamp !== null) {
      const v = row[keys.timestamp];
      ts = num(v);
      if (isMissing(v)) ctx.missing.timestamp++;
      else if (!Number.isFinite(ts)) return bad.report(rec.line, 'timestamp', show(v), 'not a number');
    }
    builder.push(intern(builder.userMap, u), intern(builder.itemMap, i), rating, ts);
  };
}

/** Id string of a JSON value ('' when unusable). Integral numbers map like their decimal text. */
function idOf(v: unknown): string | number {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return Number.isSafeInteger(v) && v >= 0 ? v : String(v);
  return '';
}

function intern(map: IdMap, id: string | number): number {
  return typeof id === 'number' ? map.internNumber(id) : map.intern(id);
}

const isMissing = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return NaN;
}

function show(v: unknown): string {
  return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

function missingOrEmpty(v: unknown): string {
  return v === undefined ? 'missing' : v === null || v === '' ? 'empty id' : 'not a string or number';
}
