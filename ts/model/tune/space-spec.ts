// Owns `tune --space`: a search space given on the command line ("rank=64,128;regParam=0.01:10")
// or as a JSON file ({"rank": [64, 128], "regParam": {"min": 0.01, "max": 10}}), laid over the
// default space, with errors that name the key and the value; and the memory check that refuses
// a space whose largest rank cannot fit before any trial starts.

import { existsSync, readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { parseFeedback } from '../pipeline/feedback.js';
import type { SearchSpace } from './space.js';

/** Keys drawn log-uniformly from a range (`lo:hi`, or one value). */
const RANGES = ['regParam', 'alpha', 'unobservedWeight'] as const;
/** Keys drawn from a list of choices. */
const CHOICES = ['rank', 'maxIter', 'confidence', 'regScaling', 'regExponent', 'feedback'] as const;
const KNOWN = [...CHOICES, ...RANGES];
const GRIDS = { regParam: 'regParamGrid', alpha: 'alphaGrid', unobservedWeight: 'unobservedWeightGrid' } as const;

export class SpaceError extends Error {}

const fail = (msg: string): never => {
  throw new SpaceError(`--space: ${msg}`);
};

/** `spec` is a JSON file path, or `key=values;key=values`. */
export function parseSpace(spec: string, base: SearchSpace): SearchSpace {
  const fromFile = spec.trim().endsWith('.json') || (existsSync(spec) && !spec.includes('='));
  const entries = fromFile ? jsonEntries(spec) : textEntries(spec);
  const out: SearchSpace = structuredClone(base);
  for (const [key, value] of entries) {
    if (!(KNOWN as readonly string[]).includes(key)) fail(`unknown key "${key}" (known: ${KNOWN.join(', ')})`);
    if ((RANGES as readonly string[]).includes(key)) {
      const k = key as (typeof RANGES)[number];
      const [lo, hi] = range(k, value);
      out[k] = [lo, hi];
      out[GRIDS[k]] = geometric(lo, hi);
    } else setChoice(out, key as (typeof CHOICES)[number], value);
  }
  return out;
}

function textEntries(spec: string): [string, unknown][] {
  return spec
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq <= 0) fail(`"${part}" is not key=values (e.g. rank=64,128 or regParam=0.01:10)`);
      const key = part.slice(0, eq).trim();
      const text = part.slice(eq + 1).trim();
      if (text === '') fail(`${key} has no values`);
      return [key, (RANGES as readonly string[]).includes(key) ? text.split(':') : text.split(',').map((s) => s.trim())];
    });
}

function jsonEntries(path: string): [string, unknown][] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return fail(`cannot read ${path}: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail(`${path} must hold a JSON object of keys to choices or ranges`);
  return Object.entries(data).map(([k, v]) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const r = v as Record<string, unknown>;
      if (!('min' in r) || !('max' in r)) fail(`${path}: ${k} must be a list of choices or {"min": …, "max": …}`);
      return [k, [r.min, r.max]];
    }
    return [k, Array.isArray(v) ? v : [v]];
  });
}

function num(key: string, v: unknown): number {
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(x)) fail(`${key}: "${String(v)}" is not a number`);
  return x;
}

function range(key: string, value: unknown): [number, number] {
  const xs = (value as unknown[]).map((v) => num(key, v));
  if (xs.length < 1 || xs.length > 2) fail(`${key} takes one value or a range lo:hi, got ${xs.length} values`);
  const [lo, hi] = [xs[0]!, xs.at(-1)!];
  const min = key === 'regParam' ? 0 : Number.MIN_VALUE;
  if (lo < min || hi < lo) fail(`${key}: the range ${lo}:${hi} must have ${min === 0 ? '0' : '0 <'} ≤ lo ≤ hi`);
  if (key === 'unobservedWeight' && hi > 1e6) fail(`unobservedWeight (alpha0) must be at most 1e6, got ${hi}`);
  if (lo === 0 && hi > 0) fail(`${key}: a log-uniform range cannot start at 0 (use a small positive lo)`);
  return [lo, hi];
}

/** Four points spaced evenly on a log scale (one when lo = hi). */
function geometric(lo: number, hi: number): number[] {
  if (lo === hi || lo === 0) return [lo];
  return [0, 1, 2, 3].map((i) => Number((lo * (hi / lo) ** (i / 3)).toPrecision(4)));
}

function setChoice(out: SearchSpace, key: (typeof CHOICES)[number], value: unknown): void {
  const raw = (value as unknown[]).map((v) => String(v).trim());
  if (raw.length === 0) fail(`${key} needs at least one choice`);
  const ints = (lo: number, hi: number) =>
    raw.map((v) => {
      const x = num(key, v);
      if (!Number.isInteger(x) || x < lo || x > hi) fail(`${key}: ${v} must be an integer in ${lo}..${hi}`);
      return x;
    });
  const words = <T extends string>(allowed: readonly T[]) => raw.map((v) => ((allowed as readonly string[]).includes(v) ? (v as T) : fail(`${key}: "${v}" must be one of ${allowed.join(', ')}`)));
  switch (key) {
    case 'rank':
      out.rank = ints(1, 1024);
      break;
    case 'maxIter':
      out.maxIter = ints(1, 10_000);
      break;
    case 'confidence':
      out.confidence = words(['one-plus-alpha', 'linear', 'log'] as const);
      break;
    case 'regScaling':
      out.regScaling = words(['spark', 'plain', 'frequency'] as const);
      break;
    case 'regExponent':
      out.regExponent = raw.map((v) => {
        const x = num(key, v);
        if (x < 0 || x > 4) fail(`regExponent (nu): ${v} must be in 0..4`);
        return x;
      });
      break;
    case 'feedback':
      for (const f of raw) {
        try {
          parseFeedback(f);
        } catch (e) {
          fail(`feedback: ${(e as Error).message}`);
        }
      }
      out.feedback = raw;
      break;
  }
}

/** Bytes one trial needs at `rank`: both factor matrices, in the engine and as returned to JS. */
export function trialBytes(rank: number, nUsers: number, nItems: number): number {
  return 2 * rank * (nUsers + nItems) * 4;
}

/**
 * Refuses a space whose largest rank cannot fit: `concurrency` trials at once, each holding its
 * factors twice, must fit in the memory free now. Throws a SpaceError saying how much it needs.
 */
export function checkSpaceFits(space: SearchSpace, nUsers: number, nItems: number, concurrency: number, free = freemem()): void {
  const rank = Math.max(...space.rank);
  const need = concurrency * trialBytes(rank, nUsers, nItems);
  if (need > free) {
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
    fail(
      `rank ${rank} needs about ${gib(need)} (${concurrency} trial(s) × 2 × rank × (${nUsers} users + ${nItems} items) × 4 bytes), ` +
        `but ${gib(free)} is free; lower the largest rank in --space or --concurrency`,
    );
  }
}
