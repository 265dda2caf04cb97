// Owns the hyperparameter search space and how trials are drawn from it: random search
// (seeded, log-uniform for scale parameters) or the full grid of the listed choices.

import { Rng } from '../../data/index.js';
import type { AlsParams } from '../../engine/index.js';
import { formatFeedback, parseFeedback, type FeedbackTransform } from '../pipeline/feedback.js';
import type { ParamSpec } from '../algorithms/types.js';

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

export const IMPLICIT_SPACE: SearchSpace = {
  rank: [16, 32, 64, 128, 256, 512, 1024],
  maxIter: [10, 15, 20, 30],
  regParam: [0.001, 10],
  regParamGrid: [0.01, 0.1, 1, 10],
  alpha: [0.1, 100],
  alphaGrid: [0.5, 2, 10, 40],
  unobservedWeight: [0.001, 1],
  unobservedWeightGrid: [0.01, 0.1, 1],
  confidence: ['one-plus-alpha', 'linear', 'log'],
  regScaling: ['spark', 'plain', 'frequency'],
  regExponent: [0.5, 1],
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
  const integer = (p: ParamSpec, x: number) => (p.type === 'int' ? Math.round(x) : round(x));
  if (how.grid) {
    let grid: Array<Record<string, number>> = [{}];
    for (const p of searched) grid = grid.flatMap((g) => p.tune!.grid.map((x) => ({ ...g, [p.key]: x })));
    return grid.map((params, id) => ({ id, params: params as Partial<AlsParams>, feedback }));
  }
  const rng = new Rng(how.seed);
  return Array.from({ length: how.n }, (_, id) => {
    const params: Record<string, number> = {};
    for (const p of searched) {
      const [lo, hi] = p.tune!.range;
      const u = rng.nextFloat();
      params[p.key] = integer(p, p.tune!.log ? Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))) : lo + u * (hi - lo));
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
