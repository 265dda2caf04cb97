// Owns `train --auto`: parameters that adapt to the data. A bounded random search on a validation
// split carved from the training data (the test split is never looked at), over confidence
// scaling (1 + α·r, or log for heavy-tailed counts), α, λ, rank, α0 (iALS's weight of unobserved
// pairs), regularisation convention (Spark's or iALS's frequency scaling) and feedback, with
// short probe fits that prune hopeless trials, and a time budget after which no trial starts.
// Trial 0 is always the project's defaults, so the choice is never worse than them on validation;
// trial 1 the same with log confidence (what heavy-tailed play counts need). A random search of
// two dozen points over six dimensions lands near the optimum, not on it, so the best trial is then
// refined by coordinate search on validation: α and λ (the two scales the optimum is most
// sensitive to) each halved and doubled, moving to the best neighbour, for a few rounds.

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
  /** Rounds of coordinate refinement (default REFINE_ROUNDS). */
  refineRounds?: number;
}

export const AUTO_DEFAULTS: Omit<AutoOptions, 'concurrency'> = { trials: 24, budgetSeconds: 40, seed: 1 };

/** Rounds of coordinate refinement after the random search (each: 4 full fits, stops when none improves). */
export const REFINE_ROUNDS = 2;
/** The factor of each refinement move (α and λ are log-scale parameters). */
const REFINE_STEP = 2;

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

/** The neighbours of a trial: α and λ each divided and multiplied by REFINE_STEP, ids from `firstId`. */
export function refineTrials(t: Trial, firstId: number): Trial[] {
  const round4 = (x: number) => Number(x.toPrecision(4));
  const moves: Partial<Trial['params']>[] = [];
  for (const f of [1 / REFINE_STEP, REFINE_STEP]) {
    if (t.params.alpha !== undefined) moves.push({ alpha: round4(t.params.alpha * f) });
    if (t.params.regParam !== undefined) moves.push({ regParam: round4(t.params.regParam * f) });
  }
  return moves.map((m, i) => ({ id: firstId + i, params: { ...t.params, ...m }, feedback: t.feedback }));
}

export async function autoTune(engine: Engine, base: TrainOptions, o: AutoOptions, progress: Progress): Promise<AutoChoice> {
  if (!base.als.implicitPrefs) throw new Error('--auto searches implicit-feedback parameters; drop --explicit (or use "recs tune" for explicit ALS)');
  const t0 = performance.now();
  const common = { base, objective: 'ndcg' as const, validationRatio: 0.9, concurrency: o.concurrency };
  const search = await tune(engine, { ...common, trials: autoTrials(o.trials, o.seed), probeIterations: 3, pruneBelow: 0.7, space: AUTO_SPACE, budgetSeconds: o.budgetSeconds }, progress);
  let best = search.best;
  const results = [...search.results];
  let skipped = search.skipped;
  let nextId = o.trials;
  for (let round = 0; round < (o.refineRounds ?? REFINE_ROUNDS); round++) {
    const left = o.budgetSeconds - (performance.now() - t0) / 1000;
    if (left <= 0) break;
    const trials = refineTrials(best.trial, nextId);
    nextId += trials.length;
    // Full fits, no probes: neighbours of the best are never hopeless.
    const r = await tune(engine, { ...common, trials, probeIterations: 0, pruneBelow: 0, budgetSeconds: left }, progress);
    results.push(...r.results);
    skipped += r.skipped;
    if (!(r.best.score > best.score)) break;
    best = r.best;
  }
  results.sort((a, b) => Number(a.pruned) - Number(b.pruned) || b.score - a.score || a.trial.id - b.trial.id);
  const result: TuneResult = { ...search, results, best, skipped };
  const chosen = best.trial;
  return { options: { ...base, als: { ...base.als, ...chosen.params }, feedback: chosen.feedback }, chosen, result };
}
