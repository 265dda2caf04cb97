// The `tune` command: hyperparameter search on a validation split carved from the training data,
// a results table, and the best parameters written where `train --params` takes them.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadEngine } from '../../engine/index.js';
import { formatFeedback } from '../../model/pipeline/feedback.js';
import { EXPLICIT_SPACE, IMPLICIT_SPACE, describeTrial, gridTrials, randomTrials } from '../../model/tune/space.js';
import { defaultConcurrency, tune, type Objective } from '../../model/tune/tune.js';
import { choiceOption, numberOption, type Command } from '../command.js';
import { createProgress } from '../progress.js';
import { buildTrainOptions, TRAIN_OPTIONS } from './train.js';

const help = `recs tune — hyperparameter search for ALS.

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
  --out FILE               where the best parameters go (default best.json)
  --json                   print all results as JSON

Searched (implicit): rank, maxIter, regParam (log-uniform), alpha (log-uniform), confidence scaling
(1 + α·r or log), regularisation convention (Spark's λ·n or plain λ), and how ratings become
feedback (value or binary). Explicit: rank, maxIter, regParam.

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
        out: { type: 'string' },
      },
    });
    const base = buildTrainOptions(v);
    const explicit = !base.als.implicitPrefs;
    const space = explicit ? EXPLICIT_SPACE : IMPLICIT_SPACE;
    const search = choiceOption('search', v.search, ['random', 'grid'] as const, 'random');
    const trials =
      search === 'grid'
        ? gridTrials(space)
        : randomTrials(space, numberOption('trials', v.trials, 40, { integer: true, min: 1 }), numberOption('search-seed', v['search-seed'], 1, { integer: true }));
    const objective: Objective = choiceOption('objective', v.objective, ['ndcg', 'precision', 'map', 'rmse'] as const, explicit ? 'rmse' : 'ndcg');
    const progress = createProgress({ enabled: !base.json && !base.quiet });
    const r = await tune(
      loadEngine(),
      {
        base,
        trials,
        objective,
        validationRatio: numberOption('validation-ratio', v['validation-ratio'], 0.9, { min: 0.05, max: 0.95 }),
        concurrency: numberOption('concurrency', v.concurrency, defaultConcurrency(), { integer: true, min: 1 }),
        probeIterations: numberOption('probe-iterations', v['probe-iterations'], 3, { integer: true, min: 0 }),
        pruneBelow: numberOption('prune-below', v['prune-below'], 0.8, { min: 0, max: 1 }),
      },
      progress,
    );
    const out = v.out ?? 'best.json';
    const best = r.best;
    const file = {
      params: { ...best.trial.params, implicitPrefs: base.als.implicitPrefs },
      feedback: formatFeedback(best.trial.feedback),
      validation: best.metrics,
      protocol: r.protocol,
      trials: r.results.length,
      createdAt: new Date().toISOString(),
    };
    writeFileSync(out, JSON.stringify(file, null, 2) + '\n');
    if (base.json) {
      console.log(JSON.stringify({ best: file, results: r.results }, null, 2));
      return 0;
    }
    const key = String(r.protocol.objective);
    console.log(`\n${'#'.padStart(3)}  ${key.padStart(12)}  ${'seconds'.padStart(8)}  parameters`);
    for (const [i, t] of r.results.entries()) {
      const score = t.pruned ? 'pruned' : t.score.toFixed(4);
      console.log(`${String(i + 1).padStart(3)}  ${score.padStart(12)}  ${t.seconds.toFixed(1).padStart(8)}  ${describeTrial(t.trial)}`);
    }
    console.log(`\nbest ${key} on validation: ${best.score.toFixed(4)} — ${describeTrial(best.trial)}\nwritten to ${out}; next: recs train --params ${out}`);
    return 0;
  },
};
