// Owns hyperparameter search: the protocol's training split is split again into a fit part and
// a validation part (the test split is never looked at), each trial is fitted on the fit part and
// scored on validation, trials run concurrently up to the core count, hopeless trials are stopped
// after a short probe fit, and the best parameters are returned for `train --params`. Finished
// fits go to an optional journal (an interrupted search resumes), and a time budget stops
// starting new trials once spent.

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
import { Journal } from './journal.js';
import { describeTrial, type SearchSpace, type Trial } from './space.js';
import { checkSpaceFits } from './space-spec.js';
import { forEachLimit } from '../../util/pool.js';
import { algorithmNamed, algorithmParams, readsImplicitFeedback } from '../algorithms/index.js';

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
  /** Refused before any fit when its largest rank cannot fit in free memory. */
  space?: SearchSpace;
  /** A journal file: finished fits are appended; fits already in it are not redone. */
  journal?: string;
  /** Start no new trial after this many seconds (those not started are left out). */
  budgetSeconds?: number;
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
  /** Fits taken from the journal instead of being run. */
  resumed: number;
  /** Trials left out because the time budget was spent. */
  skipped: number;
}

export async function tune(engine: Engine, o: TuneOptions, progress: Progress): Promise<TuneResult> {
  const base = o.base;
  const loaded = await loadSource(base.dataset, engine, base, progress);
  const algorithm = algorithmNamed(base.algorithm?.name ?? 'als');
  const implicit = readsImplicitFeedback(base);
  resolveMissingRatings(loaded.ratings, implicit, loaded.description);
  const { dataset: all } = prepare(loaded.ratings, { dedupe: true });
  // With a given test file (--test-file) the training file is the training split; the test file is never scored.
  const [trainSet] = loaded.test ? [all] : splitDataset(all, base.split);
  const [fitSet, validSet] = splitDataset(trainSet!, { ...base.split, ratio: o.validationRatio, seed: base.split.seed + 1 });
  const nUsers = all.userIds.length;
  const nItems = all.itemIds.length;
  const higherIsBetter = o.objective !== 'rmse';
  const better = (a: number, b: number) => (higherIsBetter ? a > b : a < b);
  const key = (k: number) => ({ ndcg: `ndcg@${k}`, precision: `precision@${k}`, map: 'map', rmse: 'rmse' })[o.objective];
  if (o.space) checkSpaceFits(o.space, nUsers, nItems, o.concurrency);
  algorithm.check?.(nUsers, nItems, algorithmParams(algorithm, base));
  const identity = {
    dataset: loaded.description,
    prepare: base.prepare,
    split: base.split,
    als: base.als,
    ...(base.algorithm ? { algorithm: base.algorithm } : {}),
    k: base.k,
    trials: o.trials,
    objective: o.objective,
    validationRatio: o.validationRatio,
    probeIterations: o.probeIterations,
  };
  const journal = o.journal === undefined ? undefined : Journal.open(o.journal, identity);
  const t0 = performance.now();
  const overBudget = () => o.budgetSeconds !== undefined && (performance.now() - t0) / 1000 > o.budgetSeconds;

  const run = async (t: Trial, maxIter: number): Promise<Record<string, number>> => {
    if (algorithm.name !== 'als') {
      const data = { nUsers, nItems, users: fitSet!.users, items: fitSet!.items, ratings: fitSet!.ratings, feedback: t.feedback };
      const model = await algorithm.fit(engine, data, { ...algorithmParams(algorithm, base), ...(t.params as Record<string, number>) }, {});
      return (await evaluateModel(engine, model, fitSet!, validSet!, { k: base.k, explicit: false, beyondAccuracy: 'none', baseline: false }, silentProgress)).metrics;
    }
    const als = { ...base.als, ...t.params, maxIter, threads: 1, computeLoss: false };
    const values = feedbackValues(fitSet!.ratings, t.feedback, als.implicitPrefs);
    const model = await engine.fit({ nUsers, nItems, users: fitSet!.users, items: fitSet!.items, values }, als);
    const ev = await evaluateModel(engine, model, fitSet!, validSet!, { k: base.k, explicit: !als.implicitPrefs, beyondAccuracy: 'none', baseline: false }, silentProgress);
    return ev.metrics;
  };

  // Two phases, so pruning does not depend on which trial finishes first: short probe fits of
  // every long trial, then full fits of the trials within reach of the best probe.
  const probed = o.probeIterations > 0 && algorithm.name === 'als' ? o.trials.filter((t) => (t.params.maxIter ?? base.als.maxIter) > o.probeIterations * 2) : [];
  const stage = progress.stage('tune', probed.length + o.trials.length, ' fits');
  let done = 0;
  const started = new Map<number, number>();
  const probes = new Map<number, number>();
  // A fit, or its journal entry when an earlier run finished it.
  const fitOnce = async (t: Trial, kind: 'probe' | 'full', iterations: number) => {
    const saved = journal?.get(t.id, kind);
    if (saved) return { metrics: saved.metrics, seconds: saved.seconds };
    const s0 = performance.now();
    const metrics = await run(t, iterations);
    const seconds = (performance.now() - s0) / 1000;
    journal?.record({ trial: t.id, kind, metrics, seconds });
    return { metrics, seconds };
  };
  const skippedIds = new Set<number>();
  await forEachLimit(probed, Math.max(1, o.concurrency), async (t) => {
    if (overBudget() && !journal?.get(t.id, 'probe')) {
      skippedIds.add(t.id);
      stage.update(++done);
      return;
    }
    started.set(t.id, performance.now());
    probes.set(t.id, (await fitOnce(t, 'probe', o.probeIterations)).metrics[key(base.k)]!);
    stage.update(++done);
  });
  const bestProbe = [...probes.values()].reduce((b, s) => (better(s, b) ? s : b), higherIsBetter ? -Infinity : Infinity);
  const hopeless = (s: number) => (higherIsBetter ? s < bestProbe * o.pruneBelow : s > bestProbe / o.pruneBelow);
  const results: TrialResult[] = [];
  let running = 0;
  await forEachLimit(o.trials, Math.max(1, o.concurrency), async (t) => {
    const probe = probes.get(t.id);
    // Once the budget is spent, trials not yet started are left out, except that one trial
    // always finishes (the first to reach this point; in `--auto`, the defaults').
    const finished = results.some((r) => !r.pruned) || running > 0;
    if (finished && (skippedIds.has(t.id) || (overBudget() && !journal?.get(t.id, 'full') && !(probe !== undefined && hopeless(probe))))) {
      skippedIds.add(t.id);
      stage.update(++done);
      return;
    }
    if (!started.has(t.id)) started.set(t.id, performance.now());
    if (probe !== undefined && hopeless(probe)) {
      results.push({ trial: t, score: probe, metrics: {}, seconds: (performance.now() - started.get(t.id)!) / 1000, pruned: true });
    } else {
      running++;
      const { metrics } = await fitOnce(t, 'full', t.params.maxIter ?? base.als.maxIter).finally(() => running--);
      results.push({ trial: t, score: metrics[key(base.k)]!, metrics, seconds: (performance.now() - started.get(t.id)!) / 1000, pruned: false });
    }
    const best = results.filter((r) => !r.pruned).reduce<TrialResult | null>((b, r) => (b === null || better(r.score, b.score) ? r : b), null);
    stage.update(++done, best ? `best ${key(base.k)} ${best.score.toFixed(4)} (${describeTrial(best.trial)})` : undefined);
  });
  stage.done();
  if (!results.some((r) => !r.pruned)) throw new Error('tune: no trial finished within the time budget; raise the budget or lower the trials');
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
    resumed: journal?.resumed ?? 0,
    skipped: skippedIds.size,
  };
}

export const defaultConcurrency = (): number => Math.max(1, availableParallelism());

export type { Dataset };
