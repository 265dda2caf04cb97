// Owns the hyperparameter search space and how trials are drawn from it: random search
// (seeded, log-uniform for scale parameters) or the full grid of the listed choices.

import { Rng } from '../../data/index.js';
import type { AlsParams } from '../../engine/index.js';
import { formatFeedback, parseFeedback, type FeedbackTransform } from '../pipeline/feedback.js';

export interface SearchSpace {
  rank: number[];
  maxIter: number[];
  /** [low, high] for random search (log-uniform); the grid uses `regParamGrid`. */
  regParam: [number, number];
  regParamGrid: number[];
  alpha: [number, number];
  alphaGrid: number[];
  confidence: AlsParams['confidence'][];
  regScaling: AlsParams['regScaling'][];
  feedback: string[];
}

export interface Trial {
  id: number;
  params: Partial<AlsParams>;
  feedback: FeedbackTransform;
}

export const IMPLICIT_SPACE: SearchSpace = {
  rank: [16, 32, 64, 128, 200],
  maxIter: [10, 15, 20, 30],
  regParam: [0.001, 10],
  regParamGrid: [0.01, 0.1, 1, 10],
  alpha: [0.1, 50],
  alphaGrid: [0.5, 2, 10, 40],
  confidence: ['one-plus-alpha', 'log'],
  regScaling: ['spark', 'plain'],
  feedback: ['value', 'binary'],
};

export const EXPLICIT_SPACE: SearchSpace = {
  rank: [5, 10, 20, 40, 80],
  maxIter: [10, 15, 20, 30],
  regParam: [0.01, 1],
  regParamGrid: [0.03, 0.05, 0.1, 0.15, 0.2, 0.3],
  alpha: [1, 1],
  alphaGrid: [1],
  confidence: ['one-plus-alpha'],
  regScaling: ['spark'],
  feedback: ['value'],
};

export function randomTrials(space: SearchSpace, n: number, seed: number): Trial[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.nextFloat() * xs.length)]!;
  const logUniform = ([lo, hi]: [number, number]) => round(Math.exp(Math.log(lo) + rng.nextFloat() * (Math.log(hi) - Math.log(lo))));
  return Array.from({ length: n }, (_, id) => ({
    id,
    params: {
      rank: pick(space.rank),
      maxIter: pick(space.maxIter),
      regParam: logUniform(space.regParam),
      alpha: logUniform(space.alpha),
      confidence: pick(space.confidence),
      regScaling: pick(space.regScaling),
    },
    feedback: parseFeedback(pick(space.feedback)),
  }));
}

export function gridTrials(space: SearchSpace): Trial[] {
  const out: Trial[] = [];
  for (const rank of space.rank)
    for (const maxIter of space.maxIter)
      for (const regParam of space.regParamGrid)
        for (const alpha of space.alphaGrid)
          for (const confidence of space.confidence)
            for (const regScaling of space.regScaling)
              for (const fb of space.feedback) out.push({ id: out.length, params: { rank, maxIter, regParam, alpha, confidence, regScaling }, feedback: parseFeedback(fb) });
  return out;
}

export function describeTrial(t: Trial): string {
  const p = t.params;
  return `rank=${p.rank} iters=${p.maxIter} reg=${p.regParam} alpha=${p.alpha} conf=${p.confidence} scaling=${p.regScaling} feedback=${formatFeedback(t.feedback)}`;
}

/** Four significant digits: keeps the written parameters readable. */
const round = (x: number) => Number(x.toPrecision(4));
