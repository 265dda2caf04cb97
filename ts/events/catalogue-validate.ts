// Owns checking an item's fields as clients send them (PUT/PATCH /v1/items/{id} bodies, the lines
// of `recs items import`) and applying them to the stored record: every problem is reported with
// its field, nothing is applied when there is one. PUT replaces the record; PATCH changes the
// fields it names (null removes a field; `attributes` merges name by name, a null value removes
// that attribute).

import type { AttributeValue, ItemRecord } from './catalogue.js';

export const ITEM_LIMITS = { title: 1000, categories: 64, category: 256, attributes: 64, attributeValue: 1000 } as const;
/** Attribute names: what the filter language can refer to without quoting. */
export const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Names the filter language gives another meaning (its keywords and the record's own fields). */
export const RESERVED_NAMES = new Set(['available', 'category', 'categories', 'title', 'launchAt', 'itemId', 'and', 'or', 'not', 'in', 'true', 'false']);
const FIELDS = ['itemId', 'title', 'categories', 'attributes', 'available', 'launchAt'] as const;

export interface ItemFieldError {
  field: string;
  message: string;
}

/** The fields of a PUT (all of the record) or PATCH (only those named; null removes). */
export interface ItemChange {
  title?: string | null;
  categories?: string[] | null;
  attributes?: Record<string, AttributeValue | null> | null;
  available?: boolean;
  launchAt?: number | null;
}

const controls = (s: string) => /[\u0000-\u001f\u007f]/.test(s);

/**
 * Checks a body for item `itemId` (an `itemId` field, when present, must name the same item).
 * Returns the change, or the errors (each with its field).
 */
export function parseItemChange(body: unknown, itemId: string, mode: 'put' | 'patch'): { change: ItemChange } | { errors: ItemFieldError[] } {
  const errors: ItemFieldError[] = [];
  const err = (field: string, message: string) => void errors.push({ field, message });
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { errors: [{ field: '', message: 'an item must be a JSON object {title?, categories?, attributes?, available?, launchAt?}' }] };
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(FIELDS as readonly string[]).includes(k)) err(k, `unknown field "${k.slice(0, 60)}"; allowed: ${FIELDS.join(', ')}`);
  const change: ItemChange = {};
  if (o['itemId'] !== undefined && o['itemId'] !== itemId)
    err('itemId', `names item ${JSON.stringify(String(o['itemId']).slice(0, 60))}, but the request is for item ${JSON.stringify(itemId.slice(0, 60))}`);
  /** True when field `k` is given and not null; a null is a removal in a PATCH, an error in a PUT. */
  const given = (k: keyof ItemChange): boolean => {
    if (o[k] !== null) return k in o;
    if (mode === 'patch') (change as Record<string, null>)[k] = null;
    else err(k, `${k} cannot be null in a PUT (leave it out)`);
    return false;
  };
  if (given('title')) {
    const t = o['title'];
    if (typeof t !== 'string') err('title', 'title must be a string');
    else if (t.length > ITEM_LIMITS.title) err('title', `title is ${t.length} characters long; the limit is ${ITEM_LIMITS.title}`);
    else change.title = t;
  }
  if (given('categories')) {
    const c = o['categories'];
    if (!Array.isArray(c)) err('categories', 'categories must be an array of strings');
    else if (c.length > ITEM_LIMITS.categories) err('categories', `categories lists ${c.length}; the limit is ${ITEM_LIMITS.categories}`);
    else {
      const bad = c.findIndex((x) => typeof x !== 'string' || x === '' || x.length > ITEM_LIMITS.category || controls(x));
      if (bad >= 0) err(`categories[${bad}]`, `a category must be a non-empty string of at most ${ITEM_LIMITS.category} characters without control characters`);
      else change.categories = [...new Set(c as string[])];
    }
  }
  if (given('attributes')) {
    const a = o['attributes'];
    if (a === null || typeof a !== 'object' || Array.isArray(a)) err('attributes', 'attributes must be an object of name: string, number or boolean');
    else {
      const entries = Object.entries(a as Record<string, unknown>);
      if (entries.length > ITEM_LIMITS.attributes) err('attributes', `attributes has ${entries.length} names; the limit is ${ITEM_LIMITS.attributes}`);
      const out: Record<string, AttributeValue | null> = {};
      for (const [name, v] of entries) {
        const field = `attributes.${name.slice(0, 64)}`;
        if (!ATTRIBUTE_NAME.test(name)) err(field, 'an attribute name is a letter or _ followed by up to 63 letters, digits or _');
        else if (RESERVED_NAMES.has(name)) err(field, `"${name}" is reserved (a field of the item or a word of the filter language); choose another name`);
        else if (v === null && mode === 'patch') out[name] = null;
        else if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) out[name] = v;
        else if (typeof v === 'string' && v.length <= ITEM_LIMITS.attributeValue) out[name] = v;
        else err(field, `an attribute value is a string (≤ ${ITEM_LIMITS.attributeValue} characters), a finite number or a boolean${mode === 'patch' ? ' (null removes it)' : ''}`);
      }
      change.attributes = out;
    }
  }
  if ('available' in o) {
    if (typeof o['available'] !== 'boolean') err('available', 'available must be true or false');
    else change.available = o['available'];
  }
  if (given('launchAt')) {
    const l = o['launchAt'];
    const ms = typeof l === 'string' && /^\d{4}-\d\d-\d\dT/.test(l) ? Date.parse(l) : typeof l === 'number' && Number.isInteger(l) && l >= 0 ? l : NaN;
    if (!Number.isFinite(ms)) err('launchAt', 'launchAt must be an ISO 8601 time (2026-12-24T00:00:00Z) or milliseconds since the epoch');
    else change.launchAt = ms;
  }
  return errors.length > 0 ? { errors } : { change };
}

/** The record after a PUT (replaces everything) or PATCH (changes what it names) made at `now`. */
export function applyItemChange(itemId: string, stored: ItemRecord | undefined, change: ItemChange, mode: 'put' | 'patch', now: number): ItemRecord {
  const base: ItemRecord = mode === 'put' || stored === undefined ? { itemId, available: true, deleted: false, updatedAt: now } : { ...stored, deleted: false, updatedAt: now };
  const r: ItemRecord = { ...base };
  if (change.title !== undefined) change.title === null ? delete r.title : (r.title = change.title);
  if (change.categories !== undefined) change.categories === null ? delete r.categories : (r.categories = change.categories);
  if (change.attributes !== undefined) {
    if (change.attributes === null) delete r.attributes;
    else {
      const merged: Record<string, AttributeValue> = mode === 'patch' ? { ...r.attributes } : {};
      for (const [k, v] of Object.entries(change.attributes)) v === null ? delete merged[k] : (merged[k] = v);
      r.attributes = merged;
    }
  }
  if (change.available !== undefined) r.available = change.available;
  if (change.launchAt !== undefined) change.launchAt === null ? delete r.launchAt : (r.launchAt = change.launchAt);
  return r;
}

/** The record of a deleted (hidden) item: the last record's fields, kept for a later PUT or a look. */
export function deletedItem(itemId: string, stored: ItemRecord | undefined, now: number): ItemRecord {
  return { ...(stored ?? { itemId, available: true }), itemId, deleted: true, updatedAt: now };
}

/** The record as the API shows it (times as ISO 8601). */
export function itemView(r: ItemRecord): Record<string, unknown> {
  const { launchAt, updatedAt, ...rest } = r;
  return { ...rest, ...(launchAt !== undefined && { launchAt: new Date(launchAt).toISOString() }), updatedAt: new Date(updatedAt).toISOString() };
}
