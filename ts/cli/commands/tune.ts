// The `tune` command: hyperparameter search on a validation split carved from the training data,
// a results table, and the best parameters written where `train --params` takes them.

import { writeFileSync } from 'node:fs';
import { loadEngine } from '../../engine/index.js';
import { formatFeedback } from '../../model/pipeline/feedback.js';
import { EXPLICIT_SPACE, IMPLICIT_SPACE, describeTrial, gridTrials, randomTrials, schemaTrials, type Trial } from '../../model/tune/space.js';
import { algorithmNamed } from '../../model/algorithms/index.js';
import { defaultConcurrency, tune } from '../../model/tune/tune.js';
import { choice, flag, group, num, text, type Parsed, type Values } from '../../options/index.js';
import { defineCommand, UsageError } from '../command.js';
import { JournalError } from '../../model/tune/journal.js';
import { parseSpace, SpaceError } from '../../model/tune/space-spec.js';
import { createProgress } from '../progress.js';
import { buildTrainOptions, TRAIN_GROUPS } from './train-options.js';

const search = group('Search', {
  search: choice({ choices: ['random', 'grid'], default: 'random', help: "random search or the full grid of the space's choices" }),
  trials: num({ metavar: 'N', integer: true, min: 1, default: 40, help: 'random-search trials' }),
  'search-seed': num({ metavar: 'N', integer: true, default: 1, help: 'seed of the random search; the same seed gives the same trials' }),
  objective: choice({ choices: ['ndcg', 'precision', 'map', 'rmse'], defaultHelp: 'ndcg; rmse for --explicit', help: 'what to optimise on validation' }),
  'validation-ratio': num({
    metavar: 'R',
    min: 0.05,
    max: 0.95,
    default: 0.9,
    help: 'share of the training split that fits each trial (trials fit on nearly as much data as the final model, so the best rank carries over)',
  }),
  concurrency: num({ metavar: 'N', integer: true, min: 1, defaultHelp: 'the number of cores', help: 'trials at once, one thread each' }),
  'probe-iterations': num({ metavar: 'N', integer: true, min: 0, default: 3, help: 'fit N iterations first and stop trials scoring under --prune-below × the best probe so far (0 disables)' }),
  'prune-below': num({ metavar: 'X', min: 0, max: 1, default: 0.8, help: 'see --probe-iterations' }),
  space: text({
    metavar: 'SPEC',
    help: 'the search space: key=values pairs joined by ";" (choices with ",", log-uniform ranges with ":"), e.g. "rank=128,256,512;regParam=0.01:10;confidence=log", or a JSON file ({"rank": [128, 256], "alpha": {"min": 1, "max": 50}}); keys: rank, maxIter, regParam, alpha, unobservedWeight (α0), confidence, regScaling, regExponent (ν), feedback. Unnamed keys keep the default space. A space whose largest rank cannot fit in free memory is refused before any trial starts',
  }),
  journal: text({ metavar: 'FILE', help: 'append every finished fit to FILE; rerunning the same search with the same journal skips what is already done (resume after an interruption)' }),
  out: text({ metavar: 'FILE', default: 'best.json', help: 'where the best parameters go' }),
  json: flag({ help: 'print all results as JSON' }),
  quiet: flag({ help: 'no progress bars' }),
});

const GROUPS = [search, ...TRAIN_GROUPS] as const;

export const tuneCommand = defineCommand({
  name: 'tune',
  summary: 'random or grid search of ALS hyperparameters on a validation split; writes best.json',
  about: `recs tune — hyperparameter search for ALS (or --algorithm ease: its λ, log-uniform over the
schema's range, or its grid with --search grid).

The protocol's training split (same data and split options as "recs train") is split again:
--validation-ratio of it fits each trial, the rest scores it. The test split is never used, so
"recs train --params best.json" reports an honest test figure afterwards.`,
  groups: GROUPS,
  refused: { 'models-dir': 'tune registers no model; the best parameters go to --out', 'no-activate': 'tune registers no model; the best parameters go to --out' },
  notes: `Searched (implicit): rank (16 to 1024), maxIter, regParam (log-uniform), alpha (log-uniform), α0
(log-uniform), confidence scaling (1 + α·r, α·r or log), regularisation convention (Spark's λ·n,
plain λ, or iALS's λ·(n + α0·N)^ν), and how ratings become feedback (value or binary). Explicit:
rank, maxIter, regParam. The progress line shows the best trial so far.

With --train-file A --test-file B the validation is carved from A alone and B is never scored, so
"recs train --train-file A --test-file B --params best.json" gives the honest test figure.`,
  async run(v, parsed) {
    const base = buildTrainOptions(v);
    if (base.algorithm) return tuneOther(base, v, parsed);
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
    const trials = v.search === 'grid' ? gridTrials(space) : randomTrials(space, v.trials, v['search-seed']);
    const objective = v.objective ?? (explicit ? 'rmse' : 'ndcg');
    const progress = createProgress({ enabled: !base.json && !base.quiet });
    const r = await tuneOrExplain(
      loadEngine(),
      {
        base,
        trials,
        objective,
        validationRatio: v['validation-ratio'],
        concurrency: v.concurrency ?? defaultConcurrency(),
        probeIterations: v['probe-iterations'],
        pruneBelow: v['prune-below'],
        space,
        ...(v.journal === undefined ? {} : { journal: v.journal }),
      },
      progress,
    );
    return report(r, { params: { ...r.best.trial.params, implicitPrefs: base.als.implicitPrefs } }, v.out, base.json, describeTrial, v.journal);
  },
});

type TuneValues = Values<typeof GROUPS>;

/** `tune --algorithm X` for an algorithm other than ALS: trials from its parameter schema; best.json names the algorithm. */
async function tuneOther(base: ReturnType<typeof buildTrainOptions>, v: TuneValues, parsed: Parsed<TuneValues>): Promise<number> {
  const algorithm = algorithmNamed(base.algorithm!.name);
  if (v.space !== undefined) throw new UsageError(`--space describes the ALS space; --algorithm ${algorithm.name} searches its schema's ranges (use --search grid or --trials N)`);
  if (v.objective === 'rmse') throw new UsageError(`--objective rmse needs rating predictions; --algorithm ${algorithm.name} ranks: choose ndcg, precision or map`);
  const trials =
    v.search === 'grid'
      ? schemaTrials(algorithm.params, base.feedback, { grid: true })
      : schemaTrials(algorithm.params, base.feedback, { grid: false, n: parsed.given('trials') ? v.trials : 20, seed: v['search-seed'] });
  const describe = (t: Trial) => algorithm.describe({ ...base.algorithm!.params, ...(t.params as Record<string, number>) });
  const r = await tuneOrExplain(
    loadEngine(),
    {
      base,
      trials,
      objective: v.objective ?? 'ndcg',
      validationRatio: v['validation-ratio'],
      concurrency: v.concurrency ?? 1,
      probeIterations: 0,
      pruneBelow: 0,
      ...(v.journal === undefined ? {} : { journal: v.journal }),
    },
    createProgress({ enabled: !base.json && !base.quiet }),
  );
  return report(r, { algorithm: algorithm.name, params: { ...base.algorithm!.params, ...r.best.trial.params } }, v.out, base.json, describe, v.journal);
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
