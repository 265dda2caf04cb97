// Owns hyperparameter search: the protocol's training split is split again into a fit part and
// a validation part (the test split is never looked at), each trial is fitted on the fit part and
// scored on validation, trials run concurrently up to the core count, hopeless trials are stopped
// after a short probe fit, and the best parameters are returned for `train --params`.

import { availableParallelism } from 'node:os';
import { prepare, type Dataset } from '../../data/index.js';
import type { Engine } from '../../engine/index.js';
import { feedbackValues, formatFeedback } from '../pipeline/feedback.js';
import { evaluateModel } from '../pipeline/evaluate.js';
import type { TrainOptions } from '../pipeline/options.js';
import { silentProgress, type Progress } from '../pipeline/progress.js';
import { loadSource } from '../pipeline/source.js';
import { splitDataset } from '../pipeline/split.js';
import { resolveMissingRatings } from '../pipeline/missing-ratings.js';
import type { Trial } from './space.js';

export type Objective = 'ndcg' | 'precision' | 'map' | 'rmse';

export interface TuneOptions {
  base: TrainOptions;
  trials: Trial[];
  objective: Objective;
  /** Share of the protocol's training split used for fitting; the rest validates. */
  validationRatio: number;
  concurrency: number;
  /** Probe fits of this many iterations first; trials under `pruneBelow` × the best probe stop there. */
  probeIterations: number;
  pruneBelow: number;
}

export interface TrialResult {
  trial: Trial;
  /** The objective on validation (higher is better, except rmse). */
  score: number;
  metrics: Record<string, number>;
  seconds: number;
  pruned: boolean;
}

export interface TuneResult {
  results: TrialResult[];
  best: TrialResult;
  protocol: Record<string, unknown>;
}

export async function tune(engine: Engine, o: TuneOptions, progress: Progress): Promise<TuneResult> {
  const base = o.base;
  const loaded = await loadSource(base.dataset, engine, base, progress);
  resolveMissingRatings(loaded.ratings, base.als.implicitPrefs, loaded.description);
  const { dataset: all } = prepare(loaded.ratings, { dedupe: true });
  // With a given test file (--test-file) the training file is the training split; the test file is never scored.
  const [trainSet] = loaded.test ? [all] : splitDataset(all, base.split);
  const [fitSet, validSet] = splitDataset(trainSet!, { ...base.split, ratio: o.validationRatio, seed: base.split.seed + 1 });
  const nUsers = all.userIds.length;
  const nItems = all.itemIds.length;
  const higherIsBetter = o.objective !== 'rmse';
  const better = (a: number, b: number) => (higherIsBetter ? a > b : a < b);
  const key = (k: number) => ({ ndcg: `ndcg@${k}`, precision: `precision@${k}`, map: 'map', rmse: 'rmse' })[o.objective];

  const run = async (t: Trial, maxIter: number): Promise<Record<string, number>> => {
    const als = { ...base.als, ...t.params, maxIter, threads: 1, computeLoss: false };
    const values = feedbackValues(fitSet!.ratings, t.feedback, als.implicitPrefs);
    const model = await engine.fit({ nUsers, nItems, users: fitSet!.users, items: fitSet!.items, values }, als);
    const ev = await evaluateModel(engine, model, fitSet!, validSet!, { k: base.k, explicit: !als.implicitPrefs, beyondAccuracy: 'none', baseline: false }, silentProgress);
    return ev.metrics;
  };

  // Two phases, so pruning does not depend on which trial finishes first: short probe fits of
  // every long trial, then full fits of the trials within reach of the best probe.
  const probed = o.probeIterations > 0 ? o.trials.filter((t) => (t.params.maxIter ?? base.als.maxIter) > o.probeIterations * 2) : [];
  const stage = progress.stage('tune', probed.length + o.trials.length, ' fits');
  let done = 0;
  const started = new Map<number, number>();
  const probes = new Map<number, number>();
  await pool(probed, o.concurrency, async (t) => {
    started.set(t.id, performance.now());
    probes.set(t.id, (await run(t, o.probeIterations))[key(base.k)]!);
    stage.update(++done);
  });
  const bestProbe = [...probes.values()].reduce((b, s) => (better(s, b) ? s : b), higherIsBetter ? -Infinity : Infinity);
  const hopeless = (s: number) => (higherIsBetter ? s < bestProbe * o.pruneBelow : s > bestProbe / o.pruneBelow);
  const results: TrialResult[] = [];
  await pool(o.trials, o.concurrency, async (t) => {
    const probe = probes.get(t.id);
    if (!started.has(t.id)) started.set(t.id, performance.now());
    if (probe !== undefined && hopeless(probe)) {
      results.push({ trial: t, score: probe, metrics: {}, seconds: (performance.now() - started.get(t.id)!) / 1000, pruned: true });
    } else {
      const metrics = await run(t, t.params.maxIter ?? base.als.maxIter);
      results.push({ trial: t, score: metrics[key(base.k)]!, metrics, seconds: (performance.now() - started.get(t.id)!) / 1000, pruned: false });
    }
    const best = results.filter((r) => !r.pruned).reduce<TrialResult | null>((b, r) => (b === null || better(r.score, b.score) ? r : b), null);
    stage.update(++done, best ? `best ${key(base.k)} ${best.score.toFixed(4)}` : undefined);
  });
  stage.done();
  results.sort((a, b) => Number(a.pruned) - Number(b.pruned) || (higherIsBetter ? b.score - a.score : a.score - b.score) || a.trial.id - b.trial.id);
  const best = results[0]!;
  return {
    results,
    best,
    protocol: {
      dataset: loaded.description,
      split: base.split,
      validationRatio: o.validationRatio,
      objective: key(base.k),
      fitRows: fitSet!.length,
      validationRows: validSet!.length,
      feedback: formatFeedback(best.trial.feedback),
    },
  };
}

/** Runs `f` over `items` with at most `n` at once. */
async function pool<T>(items: readonly T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await f(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

export const defaultConcurrency = (): number => Math.max(1, availableParallelism());

export type { Dataset };
