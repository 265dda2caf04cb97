// Owns the hyperparameter search space and how trials are drawn from it: random search
// (seeded, log-uniform for scale parameters) or the full grid of the listed choices.

import { Rng } from '../../data/index.js';
import type { AlsParams } from '../../engine/index.js';
import { formatFeedback, parseFeedback, type FeedbackTransform } from '../pipeline/feedback.js';
import { ALS_PARAMS } from '../algorithms/als.js';
import type { NumberTune, ParamSpec } from '../algorithms/types.js';

export interface SearchSpace {
  rank: number[];
  maxIter: number[];
  /** [low, high] for random search (log-uniform); the grid uses `regParamGrid`. */
  regParam: [number, number];
  regParamGrid: number[];
  alpha: [number, number];
  alphaGrid: number[];
  /** α0, the weight of unobserved pairs: [low, high] (log-uniform) and its grid. */
  unobservedWeight: [number, number];
  unobservedWeightGrid: number[];
  confidence: AlsParams['confidence'][];
  regScaling: AlsParams['regScaling'][];
  /** ν choices, used by the 'frequency' regScaling. */
  regExponent: number[];
  feedback: string[];
}

export interface Trial {
  id: number;
  params: Partial<AlsParams>;
  feedback: FeedbackTransform;
}

/** The numeric search ALS declares for `key` (ts/model/algorithms/als.ts). */
function alsNumberTune(key: string): NumberTune {
  const t = (ALS_PARAMS as readonly ParamSpec[]).find((p) => p.key === key)?.tune;
  if (!t || 'choices' in t) throw new Error(`ALS's ${key} declares no numeric tune range`);
  return t;
}
const grid = (key: string) => [...alsNumberTune(key).grid];
const range = (key: string): [number, number] => {
  const r = alsNumberTune(key).range;
  if (!r) throw new Error(`ALS's ${key} declares no tune range`);
  return [r[0], r[1]];
};
/** The choices ALS's `key` declares for tune (its declared choices, checked by the schema's type). */
function choices<K extends 'confidence' | 'regScaling'>(key: K): AlsParams[K][] {
  const t = (ALS_PARAMS as readonly ParamSpec[]).find((p) => p.key === key)?.tune;
  if (!t || !('choices' in t)) throw new Error(`ALS's ${key} declares no tune choices`);
  return [...t.choices] as AlsParams[K][];
}

/** The implicit space, from ALS's schema (its `tune` ranges and grids); plus how ratings become feedback, which is not an ALS parameter. */
export const IMPLICIT_SPACE: SearchSpace = {
  rank: grid('rank'),
  maxIter: grid('maxIter'),
  regParam: range('regParam'),
  regParamGrid: grid('regParam'),
  alpha: range('alpha'),
  alphaGrid: grid('alpha'),
  unobservedWeight: range('unobservedWeight'),
  unobservedWeightGrid: grid('unobservedWeight'),
  confidence: choices('confidence'),
  regScaling: choices('regScaling'),
  regExponent: grid('regExponent'),
  feedback: ['value', 'binary'],
};

export const EXPLICIT_SPACE: SearchSpace = {
  rank: [5, 10, 20, 40, 80],
  maxIter: [10, 15, 20, 30],
  regParam: [0.01, 1],
  regParamGrid: [0.03, 0.05, 0.1, 0.15, 0.2, 0.3],
  alpha: [1, 1],
  alphaGrid: [1],
  unobservedWeight: [1, 1],
  unobservedWeightGrid: [1],
  confidence: ['one-plus-alpha'],
  regScaling: ['spark'],
  regExponent: [1],
  feedback: ['value'],
};

export function randomTrials(space: SearchSpace, n: number, seed: number): Trial[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.nextFloat() * xs.length)]!;
  const logUniform = ([lo, hi]: [number, number]) => round(Math.exp(Math.log(lo) + rng.nextFloat() * (Math.log(hi) - Math.log(lo))));
  return Array.from({ length: n }, (_, id) => {
    const params: Partial<AlsParams> = {
      rank: pick(space.rank),
      maxIter: pick(space.maxIter),
      regParam: logUniform(space.regParam),
      alpha: logUniform(space.alpha),
      confidence: pick(space.confidence),
      regScaling: pick(space.regScaling),
      unobservedWeight: logUniform(space.unobservedWeight),
    };
    const nu = pick(space.regExponent);
    if (params.regScaling === 'frequency') params.regExponent = nu;
    return { id, params, feedback: parseFeedback(pick(space.feedback)) };
  });
}

export function gridTrials(space: SearchSpace): Trial[] {
  const out: Trial[] = [];
  for (const rank of space.rank)
    for (const maxIter of space.maxIter)
      for (const regParam of space.regParamGrid)
        for (const alpha of space.alphaGrid)
          for (const unobservedWeight of space.unobservedWeightGrid)
            for (const confidence of space.confidence)
              for (const regScaling of space.regScaling)
                for (const regExponent of regScaling === 'frequency' ? space.regExponent : [undefined])
                  for (const fb of space.feedback) {
                    const params: Partial<AlsParams> = { rank, maxIter, regParam, alpha, unobservedWeight, confidence, regScaling };
                    if (regExponent !== undefined) params.regExponent = regExponent;
                    out.push({ id: out.length, params, feedback: parseFeedback(fb) });
                  }
  return out;
}

/**
 * Trials over an algorithm's schema (the parameters with a `tune` range): random draws
 * (log-uniform where the range says so) or the grid of their `grid` values; feedback as given.
 */
export function schemaTrials(specs: readonly ParamSpec[], feedback: FeedbackTransform, how: { grid: true } | { grid: false; n: number; seed: number }): Trial[] {
  const searched = specs.filter((p) => p.tune);
  const values = (p: ParamSpec): readonly (number | string)[] => (p.tune && 'choices' in p.tune ? p.tune.choices : p.tune!.grid);
  if (how.grid) {
    let grid: Array<Record<string, number | string>> = [{}];
    for (const p of searched) grid = grid.flatMap((g) => values(p).map((x) => ({ ...g, [p.key]: x })));
    return grid.map((params, id) => ({ id, params: params as Partial<AlsParams>, feedback }));
  }
  const rng = new Rng(how.seed);
  return Array.from({ length: how.n }, (_, id) => {
    const params: Record<string, number | string> = {};
    for (const p of searched) {
      const u = rng.nextFloat();
      const t = p.tune!;
      if ('choices' in t || !t.range) {
        const xs = values(p);
        params[p.key] = xs[Math.floor(u * xs.length)]!;
        continue;
      }
      const [lo, hi] = t.range;
      const x = t.log ? Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))) : lo + u * (hi - lo);
      params[p.key] = p.type === 'int' ? Math.round(x) : round(x);
    }
    return { id, params: params as Partial<AlsParams>, feedback };
  });
}

export function describeTrial(t: Trial): string {
  const p = t.params;
  const scaling = p.regScaling === 'frequency' ? `frequency^${p.regExponent ?? 1}` : p.regScaling;
  const a0 = p.unobservedWeight === undefined ? '' : ` alpha0=${p.unobservedWeight}`;
  return `rank=${p.rank} iters=${p.maxIter} reg=${p.regParam} alpha=${p.alpha}${a0} conf=${p.confidence} scaling=${scaling} feedback=${formatFeedback(t.feedback)}`;
}

/** Four significant digits: keeps the written parameters readable. */
const round = (x: number) => Number(x.toPrecision(4));
