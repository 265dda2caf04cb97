// Owns the options `train`, `tune` and `retrain` share — data, preparation, split, ALS parameters
// and evaluation, declared once — and turning their values into training options (defaults,
// preset, params file, then flags). Kebab-case names; Spark's names (maxIter, regParam,
// implicitPrefs) stay accepted as aliases.

import { MOVIELENS_SIZES, parseColumnSpec, parseDelimiterName, type MovieLensSize } from '../../data/index.js';
import { DEFAULT_OPTIONS, explicitDefaults, PRESETS, type DatasetSource, type TrainOptions } from '../../model/pipeline/options.js';
import { parseFeedback } from '../../model/pipeline/feedback.js';
import { readParamsFile } from '../../model/pipeline/params-file.js';
import { choice, flag, group, num, parseOptions, text, type Values } from '../../options/index.js';
import { UsageError } from '../command.js';
import { ALGORITHMS } from '../../model/algorithms/index.js';
import { ALS_PARAMS } from '../../model/algorithms/als.js';
import { algorithmFromValues, ALS_ONLY_FLAGS, alsOptions, alsValuesOver, otherAlgorithmOptions } from '../algorithm-options.js';

const DATASETS = [...MOVIELENS_SIZES.map((s) => `ml-${s}`), 'synthetic', 'synthetic-ml-1m', 'synthetic-ml-25m'];

const data = group('Data', {
  dataset: choice({ choices: DATASETS, metavar: 'NAME', defaultHelp: 'ml-100k', help: `${DATASETS.join(', ')}\nMovieLens is downloaded from GroupLens and cached (checksum-verified).` }),
  'data-dir': text({ metavar: 'DIR', help: 'read an unzipped MovieLens folder instead of downloading (e.g. ../shared/datasets/ml-100k)' }),
  file: text({
    metavar: 'PATH',
    help: 'a CSV/TSV/JSONL of user,item[,rating][,timestamp] instead of MovieLens, as delivered: the separator is sniffed (tab, "::", comma, ";", "|", space; the extension does not force it), a header with any names is recognised, an empty rating or timestamp is missing, not malformed (implicit ALS counts a row without rating as one interaction; --explicit refuses such rows, and --split chrono rows without time, saying how many)',
  }),
  delimiter: text({ metavar: 'SEP', help: 'the field separator instead of sniffing it: a character or string, or tab, comma, semicolon, pipe, space' }),
  columns: text({
    metavar: 'SPEC',
    defaultHelp: 'from the header (userId, movieId, artistID, rating, weight, timestamp, …), else positions user, item, rating, timestamp',
    help: 'which column is which: user=NAME|N,item=NAME|N[,rating=NAME|N|none][,timestamp=NAME|N|none] (header names or 1-based positions)',
  }),
  'train-file': text({ metavar: 'PATH', help: 'a given training file and …' }),
  'test-file': text({
    metavar: 'PATH',
    help: `… its given test file (the fixed-split protocol of published benchmarks): fit on the training file, evaluate on the test file with full ranking (every item the user has not interacted with in the training file is a candidate) at any --k; both read as --file. Published "user item item …" lists convert with:\n  awk '{for(i=2;i<=NF;i++) print $1"\\t"$i}' train.txt > train.tsv`,
  }),
  'items-file': text({ metavar: 'PATH', help: 'titles and genres for --file (a MovieLens movies.csv or movies.dat)' }),
  'cache-dir': text({ metavar: 'DIR', defaultHelp: '$RECS_CACHE_DIR or ~/.cache/realtime-recs/movielens', help: 'download cache' }),
  offline: flag({ help: 'never download; use the cache only' }),
  'skip-bad-lines': flag({ help: 'count malformed lines instead of stopping at the first (default: stop, naming file and line)' }),
  'seed-data': num({ metavar: 'N', integer: true, default: 42, help: 'seed of the synthetic data set' }),
});

const preparation = group('Preparation (duplicate (user, item) pairs always resolve to the latest timestamp; ties: the later line)', {
  'min-user-count': num({ metavar: 'N', integer: true, min: 0, default: 0, help: 'drop users with fewer interactions (one pass, items first, then users)' }),
  'min-item-count': num({ metavar: 'N', integer: true, min: 0, default: 0, help: 'drop items with fewer interactions' }),
  'k-core': num({ metavar: 'N', integer: true, min: 0, default: 0, help: 'repeat both filters at N until every user and item has N interactions' }),
});

const split = group("Split (Microsoft Recommenders' python_splitters semantics)", {
  split: choice({ choices: ['random', 'stratified', 'chrono'], metavar: 'METHOD', defaultHelp: 'stratified; random with --explicit', help: 'random | stratified | chrono' }),
  ratio: num({ metavar: 'R', min: 0.01, max: 0.99, defaultHelp: '0.75', help: 'training share' }),
  'split-by': choice({ choices: ['user', 'item'], defaultHelp: "item: the README's protocol", help: 'grouping of stratified and chrono splits' }),
  'split-seed': num({ metavar: 'N', integer: true, min: 0, defaultHelp: '42', help: 'seed of the random and stratified splits' }),
  'min-rating': num({ metavar: 'N', integer: true, min: 1, defaultHelp: '1', help: "minimum interactions per group, as Recommenders' min_rating" }),
});

/** ALS's parameters, generated from its schema (ts/model/algorithms/als.ts), and the options that only set them. */
export const alsGroup = group(`ALS (Spark MLlib's parameters; Spark's names ${ALS_PARAMS.flatMap((p) => ('sparkAlias' in p ? [`--${p.sparkAlias}`] : [])).join(', ')} are accepted too)`, {
  ...alsOptions(),
  explicit: flag({
    help: "explicit ratings, Spark's ALS with implicitPrefs=false, with its own defaults (tuned for rating prediction, a tenth of a second on ML-100K): rank 10, maxIter 30, regParam 0.1139, cholesky, random 75/25 split, seed 42",
  }),
  feedback: text({ metavar: 'KIND', defaultHelp: 'value', help: 'how ratings become implicit feedback: value (the rating), binary (1 each), threshold:T (≥ T positive, below: seen but disliked)' }),
  params: text({ metavar: 'FILE', help: 'parameters from a JSON file (e.g. the best.json that "recs tune" writes); options given on the command line override it' }),
  preset: choice({
    choices: Object.keys(PRESETS),
    metavar: 'NAME',
    help: Object.entries(PRESETS)
      .map(([n, p]) => `${n}: ${p.summary}`)
      .join('; '),
  }),
});

const evaluation = group('Evaluation', {
  k: num({ metavar: 'N', integer: true, min: 1, max: 1000, defaultHelp: `${DEFAULT_OPTIONS.k}`, help: 'ranking cut-off' }),
  depth: num({ metavar: 'N', integer: true, min: 1, max: 1000, defaultHelp: `${DEFAULT_OPTIONS.depth}: the top 10 plus room for filters`, help: 'recommendations stored per user' }),
  'no-evaluate': flag({ help: 'skip the split and evaluation; fit on all the data' }),
  'no-refit': flag({ help: 'serve the model fitted on the training split instead of refitting on all the data' }),
  beyond: choice({ choices: ['all', 'coverage', 'none'], defaultHelp: DEFAULT_OPTIONS.beyondAccuracy, help: 'beyond-accuracy metrics' }),
});

/** The option groups `train`, `tune` and `retrain` share. */
/** --algorithm and the parameters of algorithms other than ALS that ALS's group does not declare (from their schemas). */
const algorithmGroup = group('Algorithm', {
  algorithm: choice({ choices: ALGORITHMS.map((a) => a.name), metavar: 'NAME', defaultHelp: 'als', help: ALGORITHMS.map((a) => `${a.name}: ${a.summary}`).join('\n') }),
  ...otherAlgorithmOptions(),
});

// (ALS's group first: an unknown flag's closest match among equals is then ALS's, the common case)
export const TRAIN_GROUPS = [data, preparation, split, alsGroup, algorithmGroup, evaluation] as const;

export type TrainValues = Values<typeof TRAIN_GROUPS> & { 'models-dir'?: string; 'no-activate'?: boolean | undefined; json?: boolean | undefined; quiet?: boolean | undefined };

/** Training options from parsed option values (defaults, preset, params file, then flags). */
export function buildTrainOptions(v: TrainValues): TrainOptions & { json: boolean; quiet: boolean } {
  let o: TrainOptions = structuredClone(DEFAULT_OPTIONS);
  if (v.preset !== undefined) o = PRESETS[v.preset]!.apply(o);
  if (v.explicit && v.preset === undefined && v.params === undefined) o = explicitDefaults(o);
  let fileAlgorithm: { name: string; params: Record<string, number | boolean | string> } | undefined;
  if (v.params !== undefined) {
    const file = readParamsFile(v.params);
    o.als = { ...o.als, ...file.params };
    if (file.feedback) o.feedback = file.feedback;
    fileAlgorithm = file.algorithm;
  }
  if (v.feedback !== undefined) {
    try {
      o.feedback = parseFeedback(v.feedback);
    } catch (e) {
      throw new UsageError(`--${(e as Error).message}`);
    }
  }
  o.dataset = fileReading(dataset(v, o.dataset), v);
  if (v['cache-dir'] !== undefined) o.cacheDir = v['cache-dir'];
  o.offline = v.offline ?? false;
  o.skipBadLines = v['skip-bad-lines'] ?? false;
  o.prepare = { dedupe: true, minUserCount: v['min-user-count'], minItemCount: v['min-item-count'], kCore: v['k-core'] };
  const s = o.split;
  o.split = { method: v.split ?? s.method, ratio: v.ratio ?? s.ratio, by: v['split-by'] ?? s.by, seed: v['split-seed'] ?? s.seed, minRating: v['min-rating'] ?? s.minRating };
  if (v.explicit && v['implicit-prefs']) throw new UsageError('--explicit and --implicitPrefs contradict each other');
  const a = o.als;
  const implicitPrefs = v.explicit ? false : v['implicit-prefs'] ? true : a.implicitPrefs;
  const nonnegative = v.nonnegative ?? a.nonnegative;
  o.als = { ...alsValuesOver(a, v), implicitPrefs, solver: v.solver ?? (implicitPrefs && !nonnegative ? a.solver : 'cholesky') };
  if (o.als.solver !== 'cholesky' && !o.als.implicitPrefs) throw new UsageError(`--solver ${o.als.solver} is for implicit feedback; explicit ALS uses cholesky`);
  o.k = v.k ?? o.k;
  o.depth = v.depth ?? Math.max(o.depth, o.k);
  o.evaluate = !v['no-evaluate'];
  o.refit = !v['no-refit'];
  o.beyondAccuracy = v.beyond ?? o.beyondAccuracy;
  if (v['models-dir'] !== undefined) o.modelsDir = v['models-dir'];
  o.activate = !v['no-activate'];
  const algorithm = algorithmFromValues(v, ALS_ONLY_FLAGS, fileAlgorithm);
  if (algorithm) o.algorithm = algorithm;
  return Object.assign(o, { json: v.json ?? false, quiet: v.quiet ?? false });
}

/** Training options from the shared options alone (e.g. `['--explicit', '--rank', '20']`). */
export function trainOptionsOf(argv: readonly string[]): TrainOptions & { json: boolean; quiet: boolean } {
  return buildTrainOptions(parseOptions(TRAIN_GROUPS, argv).values);
}

function dataset(v: TrainValues, fallback: DatasetSource): DatasetSource {
  const { dataset: name, 'data-dir': dir, file, 'items-file': itemsFile } = v;
  if (file !== undefined) {
    if (name !== undefined || dir !== undefined) throw new UsageError('--file cannot be combined with --dataset or --data-dir');
    return itemsFile === undefined ? { kind: 'file', path: file } : { kind: 'file', path: file, itemsPath: itemsFile };
  }
  if (itemsFile !== undefined) throw new UsageError('--items-file goes with --file');
  if (name === undefined) return dir === undefined ? fallback : { kind: 'movielens', size: sizeOfDir(dir), dir };
  if (name.startsWith('synthetic')) return { kind: 'synthetic', preset: name === 'synthetic' ? 'small' : (name.slice('synthetic-'.length) as 'ml-1m' | 'ml-25m'), seed: v['seed-data'] };
  const size = name.slice('ml-'.length) as MovieLensSize;
  return dir === undefined ? { kind: 'movielens', size } : { kind: 'movielens', size, dir };
}

/** --train-file/--test-file, --delimiter and --columns onto the data source. */
function fileReading(src: DatasetSource, v: TrainValues): DatasetSource {
  const trainFile = v['train-file'];
  const testFile = v['test-file'];
  if ((trainFile === undefined) !== (testFile === undefined)) throw new UsageError('--train-file and --test-file go together');
  let out = src;
  if (trainFile !== undefined) {
    if (v.file !== undefined || v.dataset !== undefined || v['data-dir'] !== undefined) throw new UsageError('--train-file/--test-file replace --file, --dataset and --data-dir');
    if (v.split !== undefined || v.ratio !== undefined || v['split-by'] !== undefined) throw new UsageError('--test-file fixes the split: drop --split, --ratio and --split-by');
    if (v['no-evaluate']) throw new UsageError('--test-file is for evaluation: drop --no-evaluate (or give the data as --file)');
    out = { kind: 'file', path: trainFile, testPath: testFile!, ...(v['items-file'] !== undefined ? { itemsPath: v['items-file'] } : {}) };
  }
  if (v.delimiter === undefined && v.columns === undefined) return out;
  if (out.kind !== 'file') throw new UsageError('--delimiter and --columns go with --file or --train-file/--test-file');
  try {
    return {
      ...out,
      ...(v.delimiter !== undefined ? { delimiter: parseDelimiterName(v.delimiter) } : {}),
      ...(v.columns !== undefined ? { columns: parseColumnSpec(v.columns) } : {}),
    };
  } catch (e) {
    throw new UsageError(e instanceof Error && e.message.startsWith('--') ? e.message : `--delimiter: ${(e as Error).message}`);
  }
}

function sizeOfDir(dir: string): MovieLensSize {
  const m = /ml-(100k|1m|10m|20m|25m|32m|latest-small)/.exec(dir);
  return (m?.[1] as MovieLensSize | undefined) ?? '100k';
}
