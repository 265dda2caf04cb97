// The `evaluate` command: scores any recommender's output from files, with the metrics and options
// of Microsoft Recommenders' python_evaluation, printed as a table or as JSON under Recommenders'
// function names.

import { closeSync, openSync, readSync } from 'node:fs';
import { IdMap, looksLikeLists, parseColumnSpec, parseDelimiterName, parseListsFile, parseRatingsFile, type ColumnRef, type ColumnSpec, type Dataset } from '../../data/index.js';
import { evaluateRanking, evaluateRatings, joinRatings } from '../../eval/index.js';
import { choice, flag, group, num, text } from '../../options/index.js';
import { defineCommand, numberOption, UsageError } from '../command.js';

const files = group('Files', {
  truth: text({ metavar: 'FILE', help: 'the held-out interactions: user,item[,rating] (CSV/TSV/"::"/JSONL, separator sniffed, header optional; an empty rating is missing)' }),
  predictions: text({
    metavar: 'FILE',
    help: 'user,item,prediction rows (scores for pairs, or each user\'s ranked list), or the JSON lines "recs score" writes ({"userId", "items": [{"itemId", "score"}]})',
  }),
  train: text({ metavar: 'FILE', help: "the training interactions (needed for coverage, novelty, diversity, serendipity; recommendations must not contain a user's training items)" }),
  'prediction-col': text({ metavar: 'C', help: 'the predictions\' score column: a header name or 1-based position (default: a "prediction"/"score"-like header, else the third column)' }),
  'relevance-col': text({
    metavar: 'C',
    help: 'a column of the predictions (a key of the list items for "recs score" files) holding each recommendation\'s relevance, weighting serendipity (Recommenders\' col_relevance; default 1)',
  }),
  delimiter: text({ metavar: 'SEP', help: 'the separator of every input file instead of sniffing it (tab, comma, "::", …)' }),
  columns: text({ metavar: 'SPEC', help: 'columns of --truth and --train: user=…,item=…,rating=… (names or 1-based positions)' }),
});

const metrics = group('Metrics', {
  k: num({ metavar: 'N', integer: true, min: 1, default: 10, help: 'ranking cut-off' }),
  metrics: choice({
    choices: ['ranking', 'rating', 'all'],
    metavar: 'KIND',
    default: 'all',
    help: 'ranking | rating | all (with all, rating metrics the files cannot give — no (user, item) pair in both — are reported as not computable)',
  }),
  'score-type': choice({
    choices: ['binary', 'raw', 'exp'],
    metavar: 'T',
    default: 'binary',
    help: "NDCG gain: binary (1 per hit), raw (the truth's rating), exp (2^rating − 1) (Recommenders' score_type)",
  }),
  'log-base': text({ metavar: 'B', default: '2', help: "base of NDCG's log discount, a number > 1 or e (Recommenders' discfun_base; NDCG, a ratio, does not depend on it)" }),
  beyond: choice({ choices: ['all', 'coverage', 'none'], default: 'all', help: 'beyond-accuracy metrics when --train is given' }),
  json: flag({ help: "print the metrics as JSON, named as Recommenders' functions (precision_at_k, recall_at_k, ndcg_at_k, map_at_k, map, r_precision_at_k, rmse, …)" }),
});

const ref = (text: string, flag: string): ColumnRef => {
  if (/^\d+$/.test(text)) {
    if (Number(text) < 1) throw new UsageError(`--${flag}: positions start at 1`);
    return Number(text) - 1;
  }
  if (text.trim() === '') throw new UsageError(`--${flag} needs a column name or position`);
  return text;
};

/** The first 64 KiB of a file, as text. */
function head(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export const evaluateCommand = defineCommand({
  name: 'evaluate',
  summary: "score any recommender's predictions against truth files (Recommenders' metric definitions)",
  about: `recs evaluate — score a recommender's output against held-out truth, as Microsoft
Recommenders' python_evaluation does.`,
  groups: [files, metrics],
  notes: `Ranking metrics take each user's top k predictions by score (ties: lower item id first) and count
every truth row as relevant. map_at_k divides each user's average precision by min(|truth|, k), map
by |truth| (the MAP of published benchmarks). Rating metrics use the inner join of truth and predictions.`,
  async run(v) {
    if (!v.truth || !v.predictions) throw new UsageError('--truth and --predictions are required');
    const { k, metrics: kind, beyond, 'score-type': scoreType } = v;
    const logBase = v['log-base'] === 'e' ? Math.E : numberOption('log-base', v['log-base'], 2, { min: 1.000001 });
    let delimiter: string | undefined;
    let spec: ColumnSpec = {};
    try {
      if (v.delimiter !== undefined) delimiter = parseDelimiterName(v.delimiter);
      if (v.columns !== undefined) spec = parseColumnSpec(v.columns);
    } catch (e) {
      throw new UsageError((e as Error).message.startsWith('--') ? (e as Error).message : `--delimiter: ${(e as Error).message}`);
    }
    const userMap = new IdMap();
    const itemMap = new IdMap();
    const read = async (path: string, columns: ColumnSpec): Promise<Dataset> =>
      (await parseRatingsFile(path, { userMap, itemMap, columns: { timestamp: null, ...columns }, ...(delimiter !== undefined ? { delimiter } : {}) })).dataset;
    const truth = await read(v.truth, spec);
    const train = v.train ? await read(v.train, { ...spec, rating: null }) : null;
    const lists = looksLikeLists(head(v.predictions));
    const predCol = v['prediction-col'] === undefined ? undefined : ref(v['prediction-col'], 'prediction-col');
    const relCol = v['relevance-col'] === undefined ? undefined : ref(v['relevance-col'], 'relevance-col');
    const predictionsBy = (col: ColumnRef | undefined): Promise<Dataset> =>
      lists
        ? parseListsFile(v.predictions!, { userMap, itemMap, ...(col !== undefined ? { value: String(col) } : {}) })
        : read(v.predictions!, { user: 0, item: 1, ...(col !== undefined ? { rating: col } : {}) });
    const preds = await predictionsBy(predCol);
    const relevance = relCol === undefined ? undefined : (await predictionsBy(relCol)).ratings;
    if (scoreType !== 'binary' && truth.ratings.some((r) => Number.isNaN(r))) {
      throw new UsageError(`--score-type ${scoreType} weighs hits by the truth's rating, but ${v.truth} has rows without one`);
    }
    const scores = { users: preds.users, items: preds.items, scores: preds.ratings };
    const out: Record<string, number | null> = { k };
    const notes: string[] = [];
    if (kind !== 'rating') {
      const r = evaluateRanking(train ?? truth, truth, scores, k, {
        beyondAccuracy: train ? beyond : 'none',
        ndcg: { scoreType, logBase },
        ...(relevance ? { relevance } : {}),
      });
      Object.assign(out, {
        precision_at_k: r.precisionAtK,
        recall_at_k: r.recallAtK,
        ndcg_at_k: r.ndcgAtK,
        map_at_k: r.mapAtK,
        map: r.map,
        r_precision_at_k: r.rPrecisionAtK,
        ...(r.catalogCoverage !== undefined ? { catalog_coverage: r.catalogCoverage, distributional_coverage: r.distributionalCoverage!, novelty: r.novelty! } : {}),
        ...(r.diversity !== undefined ? { diversity: r.diversity, serendipity: r.serendipity! } : {}),
        users: r.users,
        test_users: r.testUsers,
      });
    }
    if (kind !== 'ranking') {
      const rated = truth.ratings.every((r) => !Number.isNaN(r));
      const m = rated && joinRatings(truth, scores).yTrue.length > 0 ? evaluateRatings(truth, scores) : null;
      if (m) Object.assign(out, { rmse: m.rmse, mae: m.mae, rsquared: m.rsquared, exp_var: m.expVar, rating_rows: m.rows });
      else {
        const why = !rated ? `${v.truth} has rows without a rating` : 'no (user, item) pair is in both the truth and the predictions';
        if (kind === 'rating') throw new Error(`rating metrics are not computable: ${why}`);
        Object.assign(out, { rmse: null, mae: null, rsquared: null, exp_var: null });
        notes.push(`rating metrics not computable: ${why} (top-k lists score no pairs; ranking metrics above)`);
      }
    }
    if (v.json) {
      console.log(JSON.stringify(notes.length ? { ...out, notes } : out, null, 2));
      return 0;
    }
    const w = Math.max(...Object.keys(out).map((n) => n.length));
    console.log(`${'metric'.padEnd(w)}  ${'value'.padStart(10)}\n${'-'.repeat(w)}  ${'-'.repeat(10)}`);
    for (const [name, value] of Object.entries(out)) {
      const text = value === null ? 'n/a' : Number.isInteger(value) ? String(value) : value.toFixed(4);
      console.log(`${name.padEnd(w)}  ${text.padStart(10)}`);
    }
    for (const n of notes) console.log(`\n${n}`);
    return 0;
  },
});
