// Owns reading request parameters: the query string (a small strict parser: unknown or repeated
// parameters are errors, so typos do not pass silently), path ids, k and the id lists of
// filters. Every problem is a 400 HttpError whose message says what was wrong and what is allowed.

import { badRequest } from './errors.js';

export interface Limits {
  /** Largest k (default 100). */
  maxK: number;
  /** Longest id, in characters (default 256). */
  maxIdLength: number;
  /** Most ids in an exclude list (default 100). */
  maxExclude: number;
  /** Largest offset + k of a page (default 1 000). */
  maxWindow: number;
  /** Most users in one batch request (default 100). */
  maxBatch: number;
}

export const DEFAULT_LIMITS: Limits = { maxK: 100, maxIdLength: 256, maxExclude: 100, maxWindow: 1000, maxBatch: 100 };

/** Parses `raw` (without "?"), allowing only `allowed` names, each at most once. */
export function parseQuery(raw: string, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === '') return out;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq), 'a query parameter name', true);
    const value = eq < 0 ? '' : decode(part.slice(eq + 1), `query parameter "${name}"`, true);
    if (!allowed.includes(name)) throw badRequest(`unknown query parameter "${clip(name)}"; allowed: ${allowed.join(', ') || 'none'}`);
    if (out.has(name)) throw badRequest(`query parameter "${name}" given more than once`);
    out.set(name, value);
  }
  return out;
}

/** k from the query: a whole number 1..maxK, default `fallback`. */
export function parseK(value: string | undefined, limits: Limits, fallback = 10): number {
  if (value === undefined) return Math.min(fallback, limits.maxK);
  if (!/^[0-9]{1,6}$/.test(value)) throw badRequest(`k must be a whole number from 1 to ${limits.maxK}, got "${clip(value)}"`);
  const k = Number(value);
  if (k < 1 || k > limits.maxK) throw badRequest(`k must be from 1 to ${limits.maxK}, got ${k}`);
  return k;
}

/** offset from the query: a whole number ≥ 0 with offset + k ≤ maxWindow, default 0. */
export function parseOffset(value: string | undefined, k: number, limits: Limits): number {
  if (value === undefined) return 0;
  if (!/^[0-9]{1,7}$/.test(value)) throw badRequest(`offset must be a whole number from 0 to ${limits.maxWindow - k}, got "${clip(value)}"`);
  const offset = Number(value);
  if (offset + k > limits.maxWindow) throw badRequest(`offset + k must be at most ${limits.maxWindow}, got ${offset} + ${k}`);
  return offset;
}

/** A percent-encoded path segment, decoded and checked as an id. */
export function pathId(raw: string | undefined, what: string, limits: Limits): string {
  const id = decode(raw ?? '', what, false);
  checkId(id, what, limits);
  return id;
}

export function checkId(id: string, what: string, limits: Limits): void {
  const n = id.length;
  if (n === 0) throw badRequest(`${what} is empty`);
  if (n > limits.maxIdLength) throw badRequest(`${what} is ${n} characters long; the limit is ${limits.maxIdLength}`);
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) throw badRequest(`${what} holds control characters`);
  }
}

/**
 * `parse` remembered per raw query string: a route's few common queries ("k=10") are parsed and
 * checked once. Errors are not remembered (they are thrown again each time). At most `limit`
 * strings are kept; when full, the memory starts over, so odd queries cannot grow it.
 */
export function memoized<T>(limit: number, parse: (raw: string) => T): (raw: string) => T {
  let seen = new Map<string, T>();
  return (raw) => {
    let v = seen.get(raw);
    if (v === undefined) {
      v = parse(raw);
      if (seen.size >= limit) seen = new Map();
      seen.set(raw, v);
    }
    return v;
  };
}

/** A request body parsed as JSON; `expected` says what to send when it is empty. */
export function jsonBody(body: Buffer, expected: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest(body.length === 0 ? `the body is empty; send ${expected} as JSON` : 'the body is not valid JSON');
  }
}

/** A comma-separated id list (empty entries ignored). */
export function idList(value: string | undefined, what: string, limits: Limits): string[] {
  if (value === undefined) return [];
  const ids = value.split(',').filter((s) => s !== '');
  if (ids.length > limits.maxExclude) throw badRequest(`${what} lists ${ids.length} ids; the limit is ${limits.maxExclude}`);
  for (const id of ids) checkId(id, `an id in ${what}`, limits);
  return ids;
}

/** Percent-decoding; in a query, "+" also stands for a space. */
function decode(s: string, what: string, plusIsSpace: boolean): string {
  if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) return s;
  try {
    return decodeURIComponent(plusIsSpace && s.includes('+') ? s.replace(/\+/g, ' ') : s);
  } catch {
    throw badRequest(`${what} is not valid percent-encoding`);
  }
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
