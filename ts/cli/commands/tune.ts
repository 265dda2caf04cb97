// The `tune` command: hyperparameter search on a validation split carved from the training data,
// a results table, and the best parameters written where `train --params` takes them.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadEngine } from '../../engine/index.js';
import { formatFeedback } from '../../model/pipeline/feedback.js';
import { EXPLICIT_SPACE, IMPLICIT_SPACE, describeTrial, gridTrials, randomTrials, schemaTrials, type Trial } from '../../model/tune/space.js';
import { algorithmNamed } from '../../model/algorithms/index.js';
import { defaultConcurrency, tune, type Objective } from '../../model/tune/tune.js';
import { choiceOption, numberOption, UsageError, type Command } from '../command.js';
import { JournalError } from '../../model/tune/journal.js';
import { parseSpace, SpaceError } from '../../model/tune/space-spec.js';
import { createProgress } from '../progress.js';
import { buildTrainOptions, TRAIN_OPTIONS } from './train.js';

const help = `recs tune — hyperparameter search for ALS (or --algorithm ease: its λ, log-uniform over the
schema's range, or its grid with --search grid).

The protocol's training split (same data and split options as "recs train") is split again:
--validation-ratio of it fits each trial, the rest scores it. The test split is never used, so
"recs train --params best.json" reports an honest test figure afterwards.

  --search random|grid     random search (default) or the full grid of the space's choices
  --trials N               random-search trials (default 40)
  --search-seed N          seed of the random search (default 1); the same seed gives the same trials
  --objective ndcg|precision|map|rmse   what to optimise on validation (default ndcg; rmse for --explicit)
  --validation-ratio R     share of the training split that fits each trial (default 0.9: trials fit on
                           nearly as much data as the final model, so the best rank carries over)
  --concurrency N          trials at once, one thread each (default: the number of cores)
  --probe-iterations N     fit N iterations first and stop trials scoring under --prune-below × the best
                           probe so far (default 3; 0 disables)
  --prune-below X          (default 0.8)
  --space SPEC             the search space: key=values pairs joined by ";" (choices with ",", log-uniform
                           ranges with ":"), e.g. "rank=128,256,512;regParam=0.01:10;confidence=log", or a
                           JSON file ({"rank": [128, 256], "alpha": {"min": 1, "max": 50}}); keys: rank,
                           maxIter, regParam, alpha, unobservedWeight (α0), confidence, regScaling,
                           regExponent (ν), feedback. Unnamed keys keep the default space. A space whose
                           largest rank cannot fit in free memory is refused before any trial starts
  --journal FILE           append every finished fit to FILE; rerunning the same search with the same
                           journal skips what is already done (resume after an interruption)
  --out FILE               where the best parameters go (default best.json)
  --json                   print all results as JSON

Searched (implicit): rank (16 to 1024), maxIter, regParam (log-uniform), alpha (log-uniform), α0
(log-uniform), confidence scaling (1 + α·r, α·r or log), regularisation convention (Spark's λ·n,
plain λ, or iALS's λ·(n + α0·N)^ν), and how ratings become feedback (value or binary). Explicit:
rank, maxIter, regParam. The progress line shows the best trial so far.

With --train-file A --test-file B the validation is carved from A alone and B is never scored, so
"recs train --train-file A --test-file B --params best.json" gives the honest test figure.

Data, split and base ALS options: as "recs train --help".`;

export const tuneCommand: Command = {
  name: 'tune',
  summary: 'random or grid search of ALS hyperparameters on a validation split; writes best.json',
  help,
  async run(argv) {
    const { values: v } = parseArgs({
      args: argv,
      strict: true,
      options: {
        ...TRAIN_OPTIONS,
        search: { type: 'string' },
        trials: { type: 'string' },
        'search-seed': { type: 'string' },
        objective: { type: 'string' },
        'validation-ratio': { type: 'string' },
        concurrency: { type: 'string' },
        'probe-iterations': { type: 'string' },
        'prune-below': { type: 'string' },
        space: { type: 'string' },
        journal: { type: 'string' },
        out: { type: 'string' },
      },
    });
    const base = buildTrainOptions(v);
    if (base.algorithm) return tuneOther(base, v);
    const explicit = !base.als.implicitPrefs;
    let space = explicit ? EXPLICIT_SPACE : IMPLICIT_SPACE;
    if (v.space !== undefined) {
      try {
        space = parseSpace(v.space, space);
      } catch (e) {
        if (e instanceof SpaceError) throw new UsageError(e.message);
        throw e;
      }
    }
    const search = choiceOption('search', v.search, ['random', 'grid'] as const, 'random');
    const trials =
      search === 'grid'
        ? gridTrials(space)
        : randomTrials(space, numberOption('trials', v.trials, 40, { integer: true, min: 1 }), numberOption('search-seed', v['search-seed'], 1, { integer: true }));
    const objective: Objective = choiceOption('objective', v.objective, ['ndcg', 'precision', 'map', 'rmse'] as const, explicit ? 'rmse' : 'ndcg');
    const progress = createProgress({ enabled: !base.json && !base.quiet });
    const r = await tuneOrExplain(
      loadEngine(),
      {
        base,
        trials,
        objective,
        validationRatio: numberOption('validation-ratio', v['validation-ratio'], 0.9, { min: 0.05, max: 0.95 }),
        concurrency: numberOption('concurrency', v.concurrency, defaultConcurrency(), { integer: true, min: 1 }),
        probeIterations: numberOption('probe-iterations', v['probe-iterations'], 3, { integer: true, min: 0 }),
        pruneBelow: numberOption('prune-below', v['prune-below'], 0.8, { min: 0, max: 1 }),
        space,
        ...(v.journal === undefined ? {} : { journal: v.journal }),
      },
      progress,
    );
    return report(r, { params: { ...r.best.trial.params, implicitPrefs: base.als.implicitPrefs } }, v.out ?? 'best.json', base.json, describeTrial, v.journal);
  },
};

/** `tune --algorithm X` for an algorithm other than ALS: trials from its parameter schema; best.json names the algorithm. */
async function tuneOther(base: ReturnType<typeof buildTrainOptions>, v: Record<string, string | boolean | undefined>): Promise<number> {
  const algorithm = algorithmNamed(base.algorithm!.name);
  if (v.space !== undefined) throw new UsageError(`--space describes the ALS space; --algorithm ${algorithm.name} searches its schema's ranges (use --search grid or --trials N)`);
  const search = choiceOption('search', v.search as string | undefined, ['random', 'grid'] as const, 'random');
  const trials =
    search === 'grid'
      ? schemaTrials(algorithm.params, base.feedback, { grid: true })
      : schemaTrials(algorithm.params, base.feedback, { grid: false, n: numberOption('trials', v.trials as string | undefined, 20, { integer: true, min: 1 }), seed: numberOption('search-seed', v['search-seed'] as string | undefined, 1, { integer: true }) });
  const objective: Objective = choiceOption('objective', v.objective as string | undefined, ['ndcg', 'precision', 'map'] as const, 'ndcg');
  const describe = (t: Trial) => algorithm.describe({ ...base.algorithm!.params, ...(t.params as Record<string, number>) });
  const r = await tuneOrExplain(
    loadEngine(),
    {
      base,
      trials,
      objective,
      validationRatio: numberOption('validation-ratio', v['validation-ratio'] as string | undefined, 0.9, { min: 0.05, max: 0.95 }),
      concurrency: numberOption('concurrency', v.concurrency as string | undefined, 1, { integer: true, min: 1 }),
      probeIterations: 0,
      pruneBelow: 0,
      ...(v.journal === undefined ? {} : { journal: v.journal as string }),
    },
    createProgress({ enabled: !base.json && !base.quiet }),
  );
  const out = (v.out as string | undefined) ?? 'best.json';
  return report(r, { algorithm: algorithm.name, params: { ...base.algorithm!.params, ...r.best.trial.params } }, out, base.json, describe, v.journal as string | undefined);
}

/** Writes best.json (`head` first: the algorithm and parameters) and prints the results table, or all of it as JSON. */
function report(r: Awaited<ReturnType<typeof tune>>, head: Record<string, unknown>, out: string, json: boolean, describe: (t: Trial) => string, journal: string | undefined): number {
  const best = r.best;
  const file = { ...head, feedback: formatFeedback(best.trial.feedback), validation: best.metrics, protocol: r.protocol, trials: r.results.length, createdAt: new Date().toISOString() };
  writeFileSync(out, JSON.stringify(file, null, 2) + '\n');
  if (json) {
    console.log(JSON.stringify({ best: file, results: r.results }, null, 2));
    return 0;
  }
  const key = String(r.protocol.objective);
  console.log(`\n${'#'.padStart(3)}  ${key.padStart(12)}  ${'seconds'.padStart(8)}  parameters`);
  for (const [i, t] of r.results.entries()) {
    const score = t.pruned ? 'pruned' : t.score.toFixed(4);
    console.log(`${String(i + 1).padStart(3)}  ${score.padStart(12)}  ${t.seconds.toFixed(1).padStart(8)}  ${describe(t.trial)}`);
  }
  if (r.resumed > 0) console.log(`\n${r.resumed} fits were taken from the journal ${journal}`);
  console.log(`\nbest ${key} on validation: ${best.score.toFixed(4)} — ${describe(best.trial)}\nwritten to ${out}; next: recs train --params ${out}`);
  return 0;
}

/** `tune`, with a refused space or a foreign journal reported as a usage error (no stack). */
async function tuneOrExplain(...args: Parameters<typeof tune>): ReturnType<typeof tune> {
  try {
    return await tune(...args);
  } catch (e) {
    if (e instanceof SpaceError || e instanceof JournalError) throw new UsageError(e.message);
    throw e;
  }
}
