// Owns promotions: a request's `promote: {items: [...], from?, to?, mode?}` puts the listed items
// into the answer's positions from..to (0-based over the whole answer, not the page; default
// from 0, to from + the number of items − 1). `pin` keeps the given order; `boost` orders them by
// the user's model score (their vector folded in from their items; the given order without one).
// A promoted item the user interacted with, or that the request's filters or exclude leave out,
// is skipped for that user (never a seen item); promoting an item the model does not know, or one
// the catalogue hides (deleted, unavailable, not launched), is a 400. A promoted item takes the
// score of the item above it (the list's scores never increase) and carries "origin":"promoted".

import type { Catalog } from '../catalog.js';
import { badRequest } from '../errors.js';
import type { Picked } from '../recommend.js';

export const MAX_PROMOTED = 100;

export interface Promotion {
  items: string[];
  from: number;
  to: number;
  mode: 'pin' | 'boost';
}

export const ORIGIN = { model: 0, popularity: 1, promoted: 2 } as const;

/** A request body's `promote`, checked (`window`: the largest offset + k). */
export function parsePromotion(v: unknown, window: number): Promotion {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badRequest('promote must be an object {"items": [...], "from"?, "to"?, "mode"?: "pin" | "boost"}');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['items', 'from', 'to', 'mode'].includes(k)) throw badRequest(`promote: unknown field "${k.slice(0, 40)}"; allowed: items, from, to, mode`);
  const items = o['items'];
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_PROMOTED || !items.every((x) => typeof x === 'string' && x !== '' && x.length <= 256))
    throw badRequest(`promote.items must be 1–${MAX_PROMOTED} item ids`);
  const whole = (name: string, fallback: number) => {
    const x = o[name];
    if (x === undefined) return fallback;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x >= window) throw badRequest(`promote.${name} must be a position from 0 to ${window - 1}`);
    return x;
  };
  const from = whole('from', 0);
  const to = whole('to', Math.min(window - 1, from + items.length - 1));
  if (to < from) throw badRequest(`promote.to (${to}) is before promote.from (${from})`);
  const mode = o['mode'] ?? 'pin';
  if (mode !== 'pin' && mode !== 'boost') throw badRequest('promote.mode must be "pin" or "boost"');
  return { items: [...new Set(items as string[])], from, to, mode };
}

/** The promoted items' rows; an unknown or hidden item is a 400. */
export function promotedRows(p: Promotion, catalog: Catalog, hiddenReason: (itemId: string) => string | null): number[] {
  return p.items.map((id, i) => {
    const row = catalog.rowOf(id);
    if (row < 0) throw badRequest(`promote.items[${i}]: item "${id.slice(0, 60)}" is not in the model`);
    const why = catalog.isBlocked(row) ? (hiddenReason(id) ?? 'hidden') : null;
    if (why !== null) throw badRequest(`promote.items[${i}]: item "${id.slice(0, 60)}" is ${why.replace('_', ' ')} in the catalogue and cannot be promoted`);
    return row;
  });
}

/**
 * `picked` (items from index 0, the page at start..start+count) with `rows` (already in the order
 * to show, each eligible for this user) placed at positions from..to; the page stays offset..want.
 */
export function placePromoted(picked: Picked, rows: readonly number[], p: Promotion, offset: number, want: number): Picked {
  const end = picked.start + picked.count;
  const promoted = new Set(rows);
  const items: number[] = [];
  const scores: number[] = [];
  const origins: number[] = [];
  const firstFilled = end - picked.fromFallback;
  for (let i = 0; i < end; i++) {
    const item = picked.items[i]!;
    if (promoted.has(item)) continue;
    items.push(item);
    scores.push(picked.scores[i]!);
    origins.push(picked.origins ? picked.origins[i]! : i >= firstFilled ? ORIGIN.popularity : ORIGIN.model);
  }
  const slots = Math.min(rows.length, p.to - p.from + 1);
  for (let n = 0; n < slots; n++) {
    const at = Math.min(p.from + n, items.length);
    const score = at > 0 ? scores[at - 1]! : (scores[0] ?? 1);
    items.splice(at, 0, rows[n]!);
    scores.splice(at, 0, score);
    origins.splice(at, 0, ORIGIN.promoted);
  }
  items.length = Math.min(items.length, want);
  scores.length = items.length;
  origins.length = items.length;
  const start = Math.min(offset, items.length);
  let fromFallback = 0;
  for (let i = start; i < items.length; i++) if (origins[i] === ORIGIN.popularity) fromFallback++;
  return { items, scores, start, count: items.length - start, fromFallback, origins: Uint8Array.from(origins) };
}
