// Owns `train --auto`: parameters that adapt to the data. A bounded random search on a validation
// split carved from the training data (the test split is never looked at), over confidence
// scaling (1 + α·r, or log for heavy-tailed counts), α, λ, rank, α0 (iALS's weight of unobserved
// pairs), regularisation convention (Spark's or iALS's frequency scaling) and feedback, with
// short probe fits that prune hopeless trials, and a time budget after which no trial starts.
// Trial 0 is always the project's defaults, so the choice is never worse than them on validation;
// trial 1 the same with log confidence (what heavy-tailed play counts need).

import type { Engine } from '../../engine/index.js';
import { DEFAULT_OPTIONS, type TrainOptions } from '../pipeline/options.js';
import type { Progress } from '../pipeline/progress.js';
import { randomTrials, type SearchSpace, type Trial } from './space.js';
import { tune, type TuneResult } from './tune.js';

/** What `--auto` searches (implicit feedback). Ranks stay moderate so the search fits its budget. */
export const AUTO_SPACE: SearchSpace = {
  rank: [64, 128, 200],
  maxIter: [15, 30],
  regParam: [0.003, 10],
  regParamGrid: [],
  alpha: [0.1, 50],
  alphaGrid: [],
  unobservedWeight: [0.003, 1],
  unobservedWeightGrid: [],
  confidence: ['one-plus-alpha', 'log'],
  regScaling: ['spark', 'frequency'],
  regExponent: [1],
  feedback: ['value', 'binary'],
};

export interface AutoOptions {
  /** Trials including the defaults' (default 24). */
  trials: number;
  /** Seconds after which no trial starts (default 40). */
  budgetSeconds: number;
  seed: number;
  concurrency: number;
}

export const AUTO_DEFAULTS: Omit<AutoOptions, 'concurrency'> = { trials: 24, budgetSeconds: 40, seed: 1 };

export interface AutoChoice {
  /** `base` with the chosen parameters and feedback. */
  options: TrainOptions;
  chosen: Trial;
  result: TuneResult;
}

/** The trials `--auto` runs: the defaults, the defaults with log confidence, then random draws from AUTO_SPACE. */
export function autoTrials(n: number, seed: number): Trial[] {
  const d = DEFAULT_OPTIONS.als;
  const anchor: Trial = {
    id: 0,
    params: { rank: d.rank, maxIter: d.maxIter, regParam: d.regParam, alpha: d.alpha, confidence: d.confidence, regScaling: d.regScaling, unobservedWeight: d.unobservedWeight },
    feedback: DEFAULT_OPTIONS.feedback,
  };
  const logAnchor: Trial = { ...anchor, id: 1, params: { ...anchor.params, confidence: 'log' } };
  const anchors = [anchor, logAnchor].slice(0, Math.max(1, n));
  return [...anchors, ...randomTrials(AUTO_SPACE, Math.max(0, n - anchors.length), seed).map((t) => ({ ...t, id: t.id + anchors.length }))];
}

export async function autoTune(engine: Engine, base: TrainOptions, o: AutoOptions, progress: Progress): Promise<AutoChoice> {
  if (!base.als.implicitPrefs) throw new Error('--auto searches implicit-feedback parameters; drop --explicit (or use "recs tune" for explicit ALS)');
  const result = await tune(
    engine,
    {
      base,
      trials: autoTrials(o.trials, o.seed),
      objective: 'ndcg',
      validationRatio: 0.9,
      concurrency: o.concurrency,
      probeIterations: 3,
      pruneBelow: 0.7,
      space: AUTO_SPACE,
      budgetSeconds: o.budgetSeconds,
    },
    progress,
  );
  const chosen = result.best.trial;
  return { options: { ...base, als: { ...base.als, ...chosen.params }, feedback: chosen.feedback }, chosen, result };
}
