// Owns reading training parameters and synthetic specs for the WASM engine into the flat f64
// arrays the module takes (wasm-abi.ts), with the native binding's names, defaults and messages
// (crates/als-node/src/params.rs and synthetic.rs).

import { CONFIDENCE_CODES, PARAM_ORDER, REG_SCALING_CODES, SOLVER_CODES, SPEC_ORDER } from './wasm-abi.js';
import { boolean, finiteF32, integer, number, object, optional, readThreads, string, U32_MAX, U64_MAX_TEXT, valueError } from './wasm-args.js';

type ParamName = (typeof PARAM_ORDER)[number];

/** Spark's defaults (as in the core), cgSteps 3, blockSize 32, α0 1, ν 1, ε 1. */
const DEFAULTS: Record<ParamName, number> = {
  rank: 10,
  maxIter: 10,
  regParam: 0.1,
  implicitPrefs: 0,
  alpha: 1,
  nonnegative: 0,
  seed: 0,
  solver: SOLVER_CODES.cholesky,
  cgSteps: 3,
  blockSize: 32,
  unobservedWeight: 1,
  regExponent: 1,
  regScaling: REG_SCALING_CODES.spark,
  confidence: CONFIDENCE_CODES['one-plus-alpha'],
  confidenceEpsilon: 1,
  threads: 0,
  computeLoss: 1,
};

function choice<T extends Record<string, number>>(v: unknown, what: string, codes: T, words: string): number {
  const s = string(v, what);
  const code = Object.hasOwn(codes, s) ? codes[s] : undefined;
  if (code === undefined) valueError(`${what} must be ${words}, got "${s}"`);
  return code;
}

/** A parameter's value in a flat array from `readParams`, by name (the order is PARAM_ORDER's). */
export function paramAt(flat: Float64Array, name: ParamName): number {
  return flat[PARAM_ORDER.indexOf(name)] as number;
}

/** Worker threads a fit with these parameters runs on: `threads`, 0 meaning every core, at most `cores`. */
export function fitThreads(flat: Float64Array, cores: number): number {
  const requested = paramAt(flat, 'threads');
  return Math.min(requested === 0 ? cores : requested, cores);
}

/** Parameters in the module's order; `what` names the argument ("params"). Core checks come later. */
export function readParams(v: unknown, what: string): Float64Array {
  const p = { ...DEFAULTS };
  const flat = () => Float64Array.from(PARAM_ORDER, (k) => p[k]);
  if (v === undefined || v === null) return flat();
  const obj = object(v, what);
  for (const key of Object.keys(obj)) {
    if (!(PARAM_ORDER as readonly string[]).includes(key)) valueError(`${what}: unknown parameter "${key}" (known: ${PARAM_ORDER.join(', ')})`);
  }
  const field = (name: ParamName, read: (v: unknown, label: string) => number) => {
    const x = optional(obj, name);
    if (x !== undefined) p[name] = read(x, `${what}.${name}`);
  };
  const flag = (x: unknown, l: string) => (boolean(x, l) ? 1 : 0);
  field('rank', (x, l) => integer(x, l, 1, 1024));
  field('maxIter', (x, l) => integer(x, l, 0, 1_000_000));
  field('regParam', finiteF32);
  field('implicitPrefs', flag);
  field('alpha', finiteF32);
  field('nonnegative', flag);
  field('seed', (x, l) => integer(x, l, 0, Number.MAX_SAFE_INTEGER, U64_MAX_TEXT));
  field('threads', (x, l) => integer(x, l, 0, 1024));
  field('computeLoss', flag);
  field('cgSteps', (x, l) => integer(x, l, 1, 1000));
  field('blockSize', (x, l) => integer(x, l, 1, 1024));
  field('solver', (x, l) => choice(x, l, SOLVER_CODES, '"cholesky", "cg" or "block"'));
  field('unobservedWeight', finiteF32);
  field('regExponent', finiteF32);
  field('regScaling', (x, l) => choice(x, l, REG_SCALING_CODES, '"spark", "plain" or "frequency"'));
  field('confidenceEpsilon', finiteF32);
  field('confidence', (x, l) => choice(x, l, CONFIDENCE_CODES, '"one-plus-alpha", "linear" or "log"'));
  return flat();
}

const SPEC_KEYS = ['preset', 'nUsers', 'nItems', 'nInteractions', 'latentRank', 'popularityExponent', 'explicit', 'seed', 'threads'];

/** The presets of the core (crates/als/src/synthetic.rs). */
const PRESETS: Record<string, { nUsers: number; nItems: number; nInteractions: number; latentRank: number; popularityExponent: number }> = {
  'ml-1m': { nUsers: 6_040, nItems: 3_706, nInteractions: 1_000_209, latentRank: 24, popularityExponent: 0.9 },
  'ml-25m': { nUsers: 162_541, nItems: 59_047, nInteractions: 25_000_095, latentRank: 48, popularityExponent: 1.0 },
};

/** A synthetic spec in the module's order, plus its sizes. */
export function readSyntheticSpec(v: unknown): { flat: Float64Array; nUsers: number; nItems: number } {
  const obj = object(v, 'spec');
  for (const key of Object.keys(obj)) {
    if (!SPEC_KEYS.includes(key)) valueError(`spec: unknown field "${key}" (known: ${SPEC_KEYS.join(', ')})`);
  }
  const get = (k: string) => optional(obj, k);
  const explicit = get('explicit') === undefined ? false : boolean(get('explicit'), 'spec.explicit');
  const seed = get('seed') === undefined ? 0 : integer(get('seed'), 'spec.seed', 0, Number.MAX_SAFE_INTEGER, U64_MAX_TEXT);
  let preset: (typeof PRESETS)[string] | undefined;
  if (get('preset') !== undefined) {
    const name = string(get('preset'), 'spec.preset');
    preset = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
    if (!preset) valueError(`spec.preset must be "ml-1m" or "ml-25m", got "${name}"`);
  }
  const size = (name: 'nUsers' | 'nItems' | 'nInteractions' | 'latentRank', fallback: number | undefined, min: number) => {
    const x = get(name);
    if (x !== undefined) return integer(x, `spec.${name}`, min, U32_MAX);
    if (fallback === undefined) valueError(`spec.${name} is required (or give a preset)`);
    return fallback;
  };
  const s = {
    nUsers: size('nUsers', preset?.nUsers, 1),
    nItems: size('nItems', preset?.nItems, 1),
    nInteractions: size('nInteractions', preset?.nInteractions, 0),
    latentRank: size('latentRank', preset?.latentRank ?? 16, 1),
    popularityExponent: preset?.popularityExponent ?? 1.0,
    explicit: explicit ? 1 : 0,
    seed,
  };
  if (get('popularityExponent') !== undefined) s.popularityExponent = number(get('popularityExponent'), 'spec.popularityExponent');
  readThreads(get('threads'), 'spec.threads');
  return { flat: Float64Array.from(SPEC_ORDER, (k) => s[k]), nUsers: s.nUsers, nItems: s.nItems };
}
