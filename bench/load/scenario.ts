// Owns load-test scenarios: what traffic a run sends, as data. A scenario is a small JSON file
// (the built-ins are bench/scenarios/*.json): an arrival model (an open-loop constant rate, or a
// number of virtual users who each wait for their answer and think before the next request), an
// optional rate profile over the run (phases), how users are drawn (Zipf over the target's known
// users plus a share of unknown ones), and a weighted mix of requests. Validation is strict and
// says what is wrong in one line (file, field): unknown fields, weights that do not sum to 1.

import { readFileSync } from 'node:fs';
import reference from '../scenarios/reference.json' with { type: 'json' };
import readHeavy from '../scenarios/read-heavy.json' with { type: 'json' };
import realtime from '../scenarios/realtime.json' with { type: 'json' };
import spike from '../scenarios/spike.json' with { type: 'json' };
import filtered from '../scenarios/filtered.json' with { type: 'json' };

export type Arrival = { model: 'open'; rate?: number } | { model: 'users'; users: number; thinkMs: number };

export interface Phase {
  /** Share of the run's duration. */
  share: number;
  /** Multiplies the base rate. */
  rateFactor: number;
}

export type MixEntry =
  | { name: string; weight: number; request: 'recommendations'; k: number; where?: string }
  | { name: string; weight: number; request: 'similar'; k: number }
  | { name: string; weight: number; request: 'events'; batch: number; newUserShare: number; type: EventType };

export type EventType = 'rating' | 'click' | 'view' | 'purchase' | 'like';
const EVENT_TYPES: readonly EventType[] = ['rating', 'click', 'view', 'purchase', 'like'];

export interface Scenario {
  name: string;
  description: string;
  arrival: Arrival;
  phases: Phase[];
  users: { zipf: number; unknownShare: number };
  mix: MixEntry[];
}

export const BUILT_IN: Record<string, unknown> = { reference, 'read-heavy': readHeavy, realtime, spike, filtered };

/** A built-in scenario by name, or a JSON file by path; throws one line saying what is wrong where. */
export function loadScenario(nameOrPath: string): Scenario {
  if (nameOrPath in BUILT_IN) return validateScenario(BUILT_IN[nameOrPath], `scenario ${nameOrPath}`);
  if (!nameOrPath.includes('/') && !nameOrPath.endsWith('.json')) {
    throw new Error(`--scenario ${nameOrPath}: no such built-in scenario (built-ins: ${Object.keys(BUILT_IN).join(', ')}; or give a JSON file's path)`);
  }
  let text: string;
  try {
    text = readFileSync(nameOrPath, 'utf8');
  } catch (e) {
    throw new Error(`--scenario ${nameOrPath}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${nameOrPath}: not valid JSON (${(e as Error).message})`);
  }
  return validateScenario(raw, nameOrPath);
}

type Obj = Record<string, unknown>;

class Checker {
  constructor(readonly where: string) {}
  fail(field: string, what: string): never {
    throw new Error(`${this.where}: ${field}: ${what}`);
  }
  object(v: unknown, field: string, known: readonly string[]): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, `must be an object, got ${JSON.stringify(v)}`);
    for (const key of Object.keys(v as Obj)) {
      if (key === '$comment') continue;
      if (!known.includes(key)) this.fail(field, `unknown field "${key}" (known: ${known.join(', ')})`);
    }
    return v as Obj;
  }
  number(o: Obj, key: string, field: string, min: number, max: number, fallback?: number, integer = false): number {
    const v = o[key] ?? fallback;
    if (v === undefined) this.fail(`${field}.${key}`, 'is required');
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      this.fail(`${field}.${key}`, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    return v;
  }
  string(o: Obj, key: string, field: string, options?: readonly string[], fallback?: string): string {
    const v = o[key] ?? fallback;
    if (typeof v !== 'string' || v === '') this.fail(`${field}.${key}`, `must be a non-empty string${v === undefined ? ' (required)' : `, got ${JSON.stringify(v)}`}`);
    if (options && !options.includes(v)) this.fail(`${field}.${key}`, `must be one of ${options.join(', ')}, got "${v}"`);
    return v;
  }
}

const SUM_TOLERANCE = 1e-6;

export function validateScenario(raw: unknown, where: string): Scenario {
  const c: Checker = new Checker(where);
  const top = c.object(raw, 'scenario', ['name', 'description', 'arrival', 'phases', 'users', 'mix']);
  const name = c.string(top, 'name', 'scenario');
  const description = typeof top['description'] === 'string' ? top['description'] : '';
  const a = c.object(top['arrival'] ?? { model: 'open' }, 'arrival', ['model', 'rate', 'users', 'thinkMs']);
  const model = c.string(a, 'model', 'arrival', ['open', 'users']);
  let arrival: Arrival;
  if (model === 'open') {
    if (a['users'] !== undefined || a['thinkMs'] !== undefined) c.fail('arrival', 'users and thinkMs belong to model "users", not "open"');
    arrival = a['rate'] === undefined ? { model: 'open' } : { model: 'open', rate: c.number(a, 'rate', 'arrival', 0.001, 10_000_000) };
  } else {
    if (a['rate'] !== undefined) c.fail('arrival', 'rate belongs to model "open"; model "users" has users and thinkMs');
    arrival = { model: 'users', users: c.number(a, 'users', 'arrival', 1, 100_000, undefined, true), thinkMs: c.number(a, 'thinkMs', 'arrival', 0, 3_600_000) };
  }
  const phases: Phase[] = [];
  if (top['phases'] !== undefined) {
    const list = top['phases'];
    if (!Array.isArray(list) || list.length === 0) c.fail('phases', 'must be a non-empty array');
    if (arrival.model !== 'open') c.fail('phases', 'rate phases need arrival model "open"');
    (list as unknown[]).forEach((p, i) => {
      const o = c.object(p, `phases[${i}]`, ['share', 'rateFactor']);
      phases.push({ share: c.number(o, 'share', `phases[${i}]`, 0.000001, 1), rateFactor: c.number(o, 'rateFactor', `phases[${i}]`, 0, 1000) });
    });
    const sum = phases.reduce((s, p) => s + p.share, 0);
    if (Math.abs(sum - 1) > SUM_TOLERANCE) c.fail('phases', `shares sum to ${round(sum)}, not 1`);
  }
  const u = c.object(top['users'] ?? {}, 'users', ['zipf', 'unknownShare']);
  const users = { zipf: c.number(u, 'zipf', 'users', 0, 5, 1), unknownShare: c.number(u, 'unknownShare', 'users', 0, 1, 0.05) };
  if (!Array.isArray(top['mix']) || top['mix'].length === 0) c.fail('mix', 'must be a non-empty array of requests');
  const mix = (top['mix'] as unknown[]).map((m, i): MixEntry => {
    const f = `mix[${i}]`;
    const o = c.object(m, f, ['name', 'weight', 'request', 'k', 'batch', 'newUserShare', 'type', 'where']);
    const request = c.string(o, 'request', f, ['recommendations', 'similar', 'events']);
    const weight = c.number(o, 'weight', f, 0, 1);
    const entryName = typeof o['name'] === 'string' && o['name'] !== '' ? o['name'] : request;
    if (request === 'events') {
      if (o['k'] !== undefined) c.fail(f, 'k belongs to reads, not events');
      if (o['where'] !== undefined) c.fail(f, 'where belongs to recommendations, not events');
      return {
        name: entryName,
        weight,
        request,
        batch: c.number(o, 'batch', f, 1, 1000, 1, true),
        newUserShare: c.number(o, 'newUserShare', f, 0, 1, 0),
        type: c.string(o, 'type', f, EVENT_TYPES, 'click') as EventType,
      };
    }
    for (const k of ['batch', 'newUserShare', 'type']) if (o[k] !== undefined) c.fail(f, `${k} belongs to events, not ${request}`);
    const k = c.number(o, 'k', f, 1, 100, 10, true);
    if (o['where'] !== undefined) {
      if (request !== 'recommendations') c.fail(f, `where belongs to recommendations, not ${request}`);
      if (typeof o['where'] !== 'string' || o['where'] === '') c.fail(`${f}.where`, 'must be a filter expression (a non-empty string)');
      return { name: entryName, weight, request: 'recommendations', k, where: o['where'] as string };
    }
    return { name: entryName, weight, request: request as 'recommendations' | 'similar', k };
  });
  const sum = mix.reduce((s, m) => s + m.weight, 0);
  if (Math.abs(sum - 1) > SUM_TOLERANCE) c.fail('mix', `weights sum to ${round(sum)}, not 1`);
  const names = new Set<string>();
  mix.forEach((m, i) => {
    if (names.has(m.name)) c.fail(`mix[${i}].name`, `"${m.name}" is used twice (names label the report's rows)`);
    names.add(m.name);
  });
  return { name, description, arrival, phases, users, mix };
}

const round = (v: number) => Number(v.toPrecision(6));

/** The rate factor in force at `t` seconds of a `duration`-second run. */
export function rateFactorAt(phases: readonly Phase[], t: number, duration: number): number {
  let end = 0;
  for (const p of phases) {
    end += p.share * duration;
    if (t < end) return p.rateFactor;
  }
  return phases.at(-1)?.rateFactor ?? 1;
}
