// The `evaluate` command: scores any recommender's output from files, with the metrics defined
// as Microsoft Recommenders defines them, printed as a table or JSON.

import { parseArgs } from 'node:util';
import { IdMap, parseRatingsFile } from '../../data/index.js';
import { evaluateRanking, evaluateRatings, rankingMetrics, ratingMetrics } from '../../eval/index.js';
import { choiceOption, numberOption, UsageError, type Command } from '../command.js';
import { metricsTable } from '../metrics-table.js';

const help = `recs evaluate — score a recommender's output against held-out truth.

  --truth FILE          user,item,rating (CSV/TSV/JSONL; header optional)
  --predictions FILE    user,item,prediction: scores for (user, item) pairs, or each user's ranked list
  --train FILE          the training interactions (needed for coverage, novelty, diversity, serendipity;
                        recommendations must not contain a user's training items)
  --k N                 ranking cut-off (default 10)
  --metrics KIND        ranking | rating | all (default all)
  --beyond all|coverage|none   beyond-accuracy metrics when --train is given (default all)
  --json                print the metrics as JSON

Ranking metrics take each user's top k predictions by score (ties: lower item id first) and count
every truth row as relevant. Rating metrics use the inner join of truth and predictions.`;

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: "score any recommender's predictions against truth files (Recommenders' metric definitions)",
  help,
  async run(argv) {
    const { values: v } = parseArgs({
      args: argv,
      strict: true,
      options: {
        truth: { type: 'string' },
        predictions: { type: 'string' },
        train: { type: 'string' },
        k: { type: 'string' },
        metrics: { type: 'string' },
        beyond: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (!v.truth || !v.predictions) throw new UsageError('--truth and --predictions are required');
    const k = numberOption('k', v.k, 10, { integer: true, min: 1 });
    const kind = choiceOption('metrics', v.metrics, ['ranking', 'rating', 'all'] as const, 'all');
    const beyond = choiceOption('beyond', v.beyond, ['all', 'coverage', 'none'] as const, 'all');
    const userMap = new IdMap();
    const itemMap = new IdMap();
    const read = async (path: string, rating: string | number) =>
      (await parseRatingsFile(path, { userMap, itemMap, columns: { user: 0, item: 1, rating, timestamp: null } })).dataset;
    const truth = await read(v.truth, 2);
    const preds = await read(v.predictions, 2);
    const train = v.train ? await read(v.train, 2) : null;
    const scores = { users: preds.users, items: preds.items, scores: preds.ratings };
    const out: Record<string, number> = {};
    if (kind !== 'rating') {
      Object.assign(out, rankingMetrics(evaluateRanking(train ?? truth, truth, scores, k, { beyondAccuracy: train ? beyond : 'none' })));
    }
    if (kind !== 'ranking') {
      Object.assign(out, ratingMetrics(evaluateRatings(truth, scores)));
    }
    if (v.json) console.log(JSON.stringify(out, null, 2));
    else console.log(metricsTable(out, null));
    return 0;
  },
};
