// The `train` command: parses options (Spark's parameter names), runs the training pipeline with
// progress bars, and prints the metrics beside the popularity baseline.

import { parseArgs } from 'node:util';
import { MOVIELENS_SIZES, parseColumnSpec, parseDelimiterName, type MovieLensSize } from '../../data/index.js';
import { loadEngine } from '../../engine/index.js';
import { DEFAULT_OPTIONS, explicitDefaults, PRESETS, type DatasetSource, type TrainOptions } from '../../model/pipeline/options.js';
import { train } from '../../model/pipeline/train.js';
import { DEFAULT_TOLERANCE } from '../../model/lifecycle/gate.js';
import { parseFeedback } from '../../model/pipeline/feedback.js';
import { readParamsFile } from '../../model/pipeline/params-file.js';
import { choiceOption, numberOption, UsageError, type Command } from '../command.js';
import { createProgress } from '../progress.js';
import { storeConfigFromEnv, StoreConfigError } from '../../store/config.js';
import { metricsTable } from '../metrics-table.js';
import { defaultEventsDb, EVENTS_DB_ENV, EVENTS_STORE_HELP, eventStoreOption } from '../events-db.js';
import { REGISTRY_HELP, registryFromEnv, type RegistryLocation } from '../../model/registry/config.js';
import { openRegistry } from '../../model/registry/open.js';
import { AUTO_DEFAULTS, autoTune, type AutoOptions } from '../../model/tune/auto.js';
import { describeTrial } from '../../model/tune/space.js';
import { defaultConcurrency } from '../../model/tune/tune.js';
import { algorithmFromValues, algorithmHelp, ALGORITHM_OPTIONS } from '../algorithm-options.js';

const DATASETS = [...MOVIELENS_SIZES.map((s) => `ml-${s}`), 'synthetic', 'synthetic-ml-1m', 'synthetic-ml-25m'];

const D = DEFAULT_OPTIONS.als;

const help = `recs train — fit ALS (or another --algorithm), evaluate it beside a popularity baseline,
precompute every user's top-k, and write a versioned model artifact with an HTML report.

Algorithm:
${algorithmHelp()}

Data:
  --dataset NAME          ${DATASETS.join(', ')} (default ml-100k).
                          MovieLens is downloaded from GroupLens and cached (checksum-verified).
  --data-dir DIR          read an unzipped MovieLens folder instead of downloading (e.g. ../shared/datasets/ml-100k)
  --file PATH             a CSV/TSV/JSONL of user,item[,rating][,timestamp] instead of MovieLens, as
                          delivered: the separator is sniffed (tab, "::", comma, ";", "|", space; the
                          extension does not force it), a header with any names is recognised, an
                          empty rating or timestamp is missing, not malformed (implicit ALS counts a
                          row without rating as one interaction; --explicit refuses such rows, and
                          --split chrono rows without time, saying how many)
  --delimiter SEP         the field separator instead of sniffing it: a character or string, or tab,
                          comma, semicolon, pipe, space
  --columns SPEC          which column is which: user=NAME|N,item=NAME|N[,rating=NAME|N|none]
                          [,timestamp=NAME|N|none] (header names or 1-based positions); default: from
                          the header (userId, movieId, artistID, rating, weight, timestamp, …), else
                          positions user, item, rating, timestamp
  --train-file PATH       a given training file and …
  --test-file PATH        … its given test file (the fixed-split protocol of published benchmarks):
                          fit on the training file, evaluate on the test file with full ranking (every
                          item the user has not interacted with in the training file is a candidate)
                          at any --k; both read as --file. Published "user item item …" lists convert
                          with: awk '{for(i=2;i<=NF;i++) print $1"\t"$i}' train.txt > train.tsv
  --items-file PATH       titles and genres for --file (a MovieLens movies.csv or movies.dat)
  --cache-dir DIR         download cache (default $RECS_CACHE_DIR or ~/.cache/realtime-recs/movielens)
  --offline               never download; use the cache only
  --skip-bad-lines        count malformed lines instead of stopping at the first (default: stop, naming file and line)
  --seed-data N           seed of the synthetic data set (default 42)
  --events PATH           merge the events in this SQLite event store (the server's events file) into
                          the data: one row per (user, item) pair (the latest rating, else the sum of
                          the implicit weights; the later of an event and a data row wins), new users
                          and items included; the data rows of users erased with DELETE /v1/users/{id}
                          are left out (only events sent after the erasure remain). Counts go to the
                          manifest's data.events. Stored events no model can use (e.g. a value
                          of 1e39 from an older version) are skipped, counted and named.
  --events-db PATH        the same as --events (train merges events only when given one of them or
                          --events-store; $RECS_EVENTS_DB is read by "recs serve" and "recs retrain", not here).
  ${EVENTS_STORE_HELP}.
                          Given, train merges that store's events (sqlite: --events-db, else the
                          server's default <models-dir>/../events.sqlite).

Preparation:
  --min-user-count N      drop users with fewer interactions (one pass, items first, then users)
  --min-item-count N      drop items with fewer interactions
  --k-core N              repeat both filters at N until every user and item has N interactions
  Duplicate (user, item) pairs always resolve to the latest timestamp (ties: the later line).

Split (Microsoft Recommenders' python_splitters semantics):
  --split METHOD          random | stratified | chrono (default stratified; random with --explicit)
  --ratio R               training share (default 0.75)
  --split-by user|item    grouping of stratified and chrono splits (default item: the README's protocol)
  --split-seed N          (default 42)
  --min-rating N          minimum interactions per group, as Recommenders' min_rating (default 1)

ALS (Spark MLlib's names):
  --rank N                latent factors (default ${D.rank})
  --maxIter N             iterations (default ${D.maxIter})
  --regParam X            regularisation λ (default ${D.regParam})
  --implicitPrefs         implicit feedback, Hu–Koren–Volinsky (default)
  --explicit              explicit ratings, Spark's ALS with implicitPrefs=false, with its own defaults
                          (tuned for rating prediction, a tenth of a second on ML-100K): rank 10,
                          maxIter 30, regParam 0.1139, cholesky, random 75/25 split, seed 42
  --alpha X               confidence scale for implicit feedback (default ${D.alpha})
  --nonnegative           nonnegative factors (NNLS)
  --seed N                seed of the initial factors (default ${D.seed})
  --solver cholesky|cg|block   exact solve, conjugate gradient, or block coordinate descent (iALS++,
                          for large ranks) (default cg for implicit, cholesky for explicit)
  --cg-steps N            conjugate-gradient steps per row (default 3)
  --block-size N          coordinates per block of --solver block (default 32)
  --reg-scaling spark|plain|frequency   λ·n per row (Spark's ALS-WR), plain λ (the implicit library),
                          or λ·(n + α0·N)^ν (iALS, Rendle et al. 2022) (default spark)
  --reg-exponent X        ν of --reg-scaling frequency (default 1)
  --unobserved-weight X   α0, the weight of every unobserved (user, item) pair (default 1)
  --confidence one-plus-alpha|linear|log   how a value becomes a confidence (default one-plus-alpha)
  --confidence-epsilon X  ε of the log confidence (default 1)
  --threads N             worker threads, 0 = all cores (results do not depend on it)
  --feedback KIND         how ratings become implicit feedback: value (the rating), binary (1 each),
                          threshold:T (≥ T positive, below: seen but disliked) (default value)
  --auto                  choose the implicit parameters for this data: a bounded search on a validation
                          split carved from the training data (confidence linear or log, α, λ, rank,
                          α0, regularisation convention, feedback), probe fits prune hopeless trials;
                          prints what it chose. No trial starts after --auto-budget seconds
  --auto-trials N         trials of --auto, the defaults' included (default 24)
  --auto-budget S         seconds after which --auto starts no new trial (default 40)
  --params FILE           parameters from a JSON file (e.g. the best.json that "recs tune" writes);
                          options given on the command line override it
  --preset NAME           ${Object.entries(PRESETS).map(([n, p]) => `${n}: ${p.summary}`).join('; ')}

Evaluation and output:
  --k N                   ranking cut-off (default 10)
  --depth N               recommendations stored per user (default ${DEFAULT_OPTIONS.depth}: the top 10 plus room for filters)
  --no-evaluate           skip the split and evaluation; fit on all the data
  --no-refit              serve the model fitted on the training split instead of refitting on all the data
  --beyond all|coverage|none   beyond-accuracy metrics (default all)
  --models-dir DIR        model registry directory (default ./models)
  ${REGISTRY_HELP}
                          With a blob registry the registry is pulled first (the gate compares with
                          the active version there) and the new version pushed after training; the
                          pointer moves only if no other writer moved it meanwhile.
  --no-activate           register the version without making it the active one
  --gate                  register the version as a candidate and make it active only if it passes
                          the quality gate (ndcg@10 ≥ the active model's − tolerance, and above the
                          popularity baseline); the reason is printed and recorded in the registry
  --tolerance X           the gate's tolerance (default 0.01)
  --load redis|cosmos     once the version is active, bulk-load its top-k lists into Redis or Cosmos DB
                          as "recs load" does (write beside, verify, flip the store's pointer, keep
                          one older version), with a progress bar and a users/s line; connection
                          settings from the same environment as "recs load" (RECS_REDIS_URL,
                          RECS_REDIS_PREFIX, RECS_COSMOS_*). Skipped when the gate refuses the version.
  --json                  print the manifest as JSON on stdout (no progress bars)
  --quiet                 no progress bars
`;

/** The options `train` takes (`tune` takes them too, for the data, split and base parameters). */
export const TRAIN_OPTIONS = {
      dataset: { type: 'string' }, 'data-dir': { type: 'string' }, file: { type: 'string' }, 'items-file': { type: 'string' },
      delimiter: { type: 'string' }, columns: { type: 'string' }, 'train-file': { type: 'string' }, 'test-file': { type: 'string' },
      'cache-dir': { type: 'string' }, offline: { type: 'boolean' }, 'skip-bad-lines': { type: 'boolean' }, 'seed-data': { type: 'string' },
      'min-user-count': { type: 'string' }, 'min-item-count': { type: 'string' }, 'k-core': { type: 'string' },
      split: { type: 'string' }, ratio: { type: 'string' }, 'split-by': { type: 'string' }, 'split-seed': { type: 'string' }, 'min-rating': { type: 'string' },
      rank: { type: 'string' }, maxIter: { type: 'string' }, regParam: { type: 'string' }, implicitPrefs: { type: 'boolean' }, explicit: { type: 'boolean' },
      alpha: { type: 'string' }, nonnegative: { type: 'boolean' }, seed: { type: 'string' }, solver: { type: 'string' }, 'cg-steps': { type: 'string' },
      'block-size': { type: 'string' }, 'unobserved-weight': { type: 'string' }, 'reg-exponent': { type: 'string' },
      'reg-scaling': { type: 'string' }, confidence: { type: 'string' }, 'confidence-epsilon': { type: 'string' }, threads: { type: 'string' },
      preset: { type: 'string' }, feedback: { type: 'string' }, params: { type: 'string' }, k: { type: 'string' }, depth: { type: 'string' }, 'no-evaluate': { type: 'boolean' }, 'no-refit': { type: 'boolean' },
      beyond: { type: 'string' }, 'models-dir': { type: 'string' }, 'no-activate': { type: 'boolean' }, json: { type: 'boolean' }, quiet: { type: 'boolean' },
      ...ALGORITHM_OPTIONS,
} as const;

/** ALS-only flags (refused with another --algorithm). */
const ALS_ONLY_FLAGS = ['rank', 'maxIter', 'implicitPrefs', 'explicit', 'alpha', 'nonnegative', 'seed', 'solver', 'cg-steps', 'block-size', 'unobserved-weight', 'reg-exponent', 'reg-scaling', 'confidence', 'confidence-epsilon', 'threads', 'preset'] as const;

type TrainValues = ReturnType<typeof parseTrainArgs>['values'];

function parseTrainArgs(argv: string[]) {
  return parseArgs({ args: argv, strict: true, options: TRAIN_OPTIONS });
}

/** Options only `train` takes (not `tune` or `retrain`). */
const TRAIN_ONLY_OPTIONS = { auto: { type: 'boolean' }, 'auto-trials': { type: 'string' }, 'auto-budget': { type: 'string' }, gate: { type: 'boolean' }, tolerance: { type: 'string' }, events: { type: 'string' }, 'events-db': { type: 'string' }, 'events-store': { type: 'string' }, load: { type: 'string' }, registry: { type: 'string' } } as const;

function parse(argv: string[]): TrainOptions & { json: boolean; quiet: boolean; registry: RegistryLocation; auto?: Omit<AutoOptions, 'concurrency'> } {
  const { values } = parseArgs({ args: argv, strict: true, options: { ...TRAIN_OPTIONS, ...TRAIN_ONLY_OPTIONS } });
  const o: ReturnType<typeof buildTrainOptions> & { auto?: Omit<AutoOptions, 'concurrency'> } = buildTrainOptions(values);
  if (values.auto) {
    if (o.algorithm) throw new UsageError(`--auto searches ALS parameters; it cannot go with --algorithm ${o.algorithm.name} (use "recs tune --algorithm ${o.algorithm.name}")`);
    if (!o.als.implicitPrefs) throw new UsageError('--auto searches implicit-feedback parameters; it cannot go with --explicit');
    o.auto = {
      trials: numberOption('auto-trials', values['auto-trials'], AUTO_DEFAULTS.trials, { integer: true, min: 1, max: 1000 }),
      budgetSeconds: numberOption('auto-budget', values['auto-budget'], AUTO_DEFAULTS.budgetSeconds, { min: 1 }),
      seed: AUTO_DEFAULTS.seed,
    };
  } else if (values['auto-trials'] !== undefined || values['auto-budget'] !== undefined) throw new UsageError('--auto-trials and --auto-budget go with --auto');
  if (values.events !== undefined && values['events-db'] !== undefined && values.events !== values['events-db']) throw new UsageError('--events and --events-db name different event stores; give one');
  if (o.dataset.kind === 'file' && o.dataset.testPath !== undefined && (values.events ?? values['events-db'] ?? values['events-store']) !== undefined) throw new UsageError('--events merges into the data to split: it cannot go with --test-file');
  const path = values.events ?? values['events-db'];
  if (path !== undefined || values['events-store'] !== undefined) {
    const fallback = defaultEventsDb(o.modelsDir);
    const events = eventStoreOption({ kind: values['events-store'], name: values.events !== undefined ? 'events' : 'events-db', path, fallback, mustExist: true }, { ...process.env, [EVENTS_DB_ENV]: undefined });
    if (events === undefined) throw new UsageError(`--events-store sqlite: no event store at ${fallback}; name one with --events-db PATH`);
    o.events = events;
  }
  if (values.load !== undefined) {
    const store = choiceOption('load', values.load, ['redis', 'cosmos'] as const, 'redis');
    if (!o.activate) throw new UsageError('--load serves the new version: it cannot go with --no-activate');
    try {
      o.load = { store, config: storeConfigFromEnv(process.env, { kind: store }) };
    } catch (e) {
      if (e instanceof StoreConfigError) throw new UsageError(e.message);
      throw e;
    }
  }
  if (values.tolerance !== undefined && !values.gate) throw new UsageError('--tolerance goes with --gate');
  if (values.gate) {
    if (!o.activate) throw new UsageError('--gate and --no-activate contradict each other');
    if (!o.evaluate) throw new UsageError('--gate needs the evaluation; drop --no-evaluate');
    o.gate = { tolerance: numberOption('tolerance', values.tolerance, DEFAULT_TOLERANCE, { min: 0 }) };
  }
  return { ...o, registry: registryFromEnv(values.registry) };
}

/** Training options from parsed argument values (defaults, preset, params file, then flags). */
export function buildTrainOptions(v: TrainValues): TrainOptions & { json: boolean; quiet: boolean } {
  let o: TrainOptions = structuredClone(DEFAULT_OPTIONS);
  if (v.preset !== undefined) {
    const p = PRESETS[v.preset];
    if (!p) throw new UsageError(`--preset must be one of ${Object.keys(PRESETS).join(', ')}; got "${v.preset}"`);
    o = p.apply(o);
  }
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
  o.dataset = dataset(v.dataset, v['data-dir'], v.file, v['items-file'], numberOption('seed-data', v['seed-data'], 42, { integer: true }), o.dataset);
  o.dataset = fileReading(o.dataset, v);
  if (v['cache-dir'] !== undefined) o.cacheDir = v['cache-dir'];
  o.offline = v.offline ?? false;
  o.skipBadLines = v['skip-bad-lines'] ?? false;
  o.prepare = {
    dedupe: true,
    minUserCount: numberOption('min-user-count', v['min-user-count'], 0, { integer: true, min: 0 }),
    minItemCount: numberOption('min-item-count', v['min-item-count'], 0, { integer: true, min: 0 }),
    kCore: numberOption('k-core', v['k-core'], 0, { integer: true, min: 0 }),
  };
  o.split = {
    method: choiceOption('split', v.split, ['random', 'stratified', 'chrono'] as const, o.split.method),
    ratio: numberOption('ratio', v.ratio, o.split.ratio, { min: 0.01, max: 0.99 }),
    by: choiceOption('split-by', v['split-by'], ['user', 'item'] as const, o.split.by),
    seed: numberOption('split-seed', v['split-seed'], o.split.seed, { integer: true, min: 0 }),
    minRating: numberOption('min-rating', v['min-rating'], o.split.minRating, { integer: true, min: 1 }),
  };
  if (v.explicit && v.implicitPrefs) throw new UsageError('--explicit and --implicitPrefs contradict each other');
  const implicitPrefs = v.explicit ? false : v.implicitPrefs ? true : o.als.implicitPrefs;
  const a = o.als;
  o.als = {
    ...a,
    rank: numberOption('rank', v.rank, a.rank, { integer: true, min: 1, max: 1024 }),
    maxIter: numberOption('maxIter', v.maxIter, a.maxIter, { integer: true, min: 1, max: 10_000 }),
    regParam: numberOption('regParam', v.regParam, a.regParam, { min: 0 }),
    implicitPrefs,
    alpha: numberOption('alpha', v.alpha, a.alpha, { min: 0 }),
    nonnegative: v.nonnegative ?? a.nonnegative,
    seed: numberOption('seed', v.seed, a.seed, { integer: true, min: 0 }),
    solver: choiceOption('solver', v.solver, ['cholesky', 'cg', 'block'] as const, implicitPrefs && !(v.nonnegative ?? a.nonnegative) ? a.solver : 'cholesky'),
    cgSteps: numberOption('cg-steps', v['cg-steps'], a.cgSteps, { integer: true, min: 1, max: 1000 }),
    blockSize: numberOption('block-size', v['block-size'], a.blockSize, { integer: true, min: 1, max: 1024 }),
    unobservedWeight: numberOption('unobserved-weight', v['unobserved-weight'], a.unobservedWeight, { min: 1e-9, max: 1e6 }),
    regExponent: numberOption('reg-exponent', v['reg-exponent'], a.regExponent, { min: 0, max: 4 }),
    regScaling: choiceOption('reg-scaling', v['reg-scaling'], ['spark', 'plain', 'frequency'] as const, a.regScaling),
    confidence: choiceOption('confidence', v.confidence, ['one-plus-alpha', 'linear', 'log'] as const, a.confidence),
    confidenceEpsilon: numberOption('confidence-epsilon', v['confidence-epsilon'], a.confidenceEpsilon, { min: 1e-9 }),
    threads: numberOption('threads', v.threads, a.threads, { integer: true, min: 0, max: 1024 }),
  };
  if (o.als.solver !== 'cholesky' && !o.als.implicitPrefs) throw new UsageError(`--solver ${o.als.solver} is for implicit feedback; explicit ALS uses cholesky`);
  o.k = numberOption('k', v.k, o.k, { integer: true, min: 1, max: 1000 });
  o.depth = numberOption('depth', v.depth, Math.max(o.depth, o.k), { integer: true, min: 1, max: 1000 });
  o.evaluate = !v['no-evaluate'];
  o.refit = !v['no-refit'];
  o.beyondAccuracy = choiceOption('beyond', v.beyond, ['all', 'coverage', 'none'] as const, o.beyondAccuracy);
  o.modelsDir = v['models-dir'] ?? process.env.RECS_MODELS_DIR ?? o.modelsDir;
  o.activate = !v['no-activate'];
  const algorithm = algorithmFromValues(v, ALS_ONLY_FLAGS, fileAlgorithm);
  if (algorithm) o.algorithm = algorithm;
  return Object.assign(o, { json: v.json ?? false, quiet: v.quiet ?? false });
}

function dataset(name: string | undefined, dir: string | undefined, file: string | undefined, itemsFile: string | undefined, seed: number, fallback: DatasetSource): DatasetSource {
  if (file !== undefined) {
    if (name !== undefined || dir !== undefined) throw new UsageError('--file cannot be combined with --dataset or --data-dir');
    return itemsFile === undefined ? { kind: 'file', path: file } : { kind: 'file', path: file, itemsPath: itemsFile };
  }
  if (itemsFile !== undefined) throw new UsageError('--items-file goes with --file');
  if (name === undefined) return dir === undefined ? fallback : { kind: 'movielens', size: sizeOfDir(dir), dir };
  if (name.startsWith('synthetic')) {
    const preset = name === 'synthetic' ? 'small' : (name.slice('synthetic-'.length) as 'ml-1m' | 'ml-25m');
    if (!['small', 'ml-1m', 'ml-25m'].includes(preset)) throw new UsageError(`--dataset must be one of ${DATASETS.join(', ')}; got "${name}"`);
    return { kind: 'synthetic', preset, seed };
  }
  const size = name.replace(/^ml-/, '') as MovieLensSize;
  if (!MOVIELENS_SIZES.includes(size)) throw new UsageError(`--dataset must be one of ${DATASETS.join(', ')}; got "${name}"`);
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

export const trainCommand: Command = {
  name: 'train',
  summary: 'fit ALS (or --algorithm ease), evaluate beside a popularity baseline, precompute top-k, write a model artifact',
  help,
  async run(argv) {
    let o = parse(argv);
    const progress = createProgress({ enabled: !o.json && !o.quiet });
    const engine = loadEngine();
    if (o.auto) {
      const a = await autoTune(engine, o, { ...o.auto, concurrency: defaultConcurrency() }, progress);
      o = { ...o, ...a.options };
      const r = a.result;
      const note = `${r.results.length} trials (${r.results.filter((t) => t.pruned).length} pruned${r.skipped ? `, ${r.skipped} left out by the budget` : ''})`;
      if (!o.json) console.log(`auto: chose ${describeTrial(a.chosen)} — validation ndcg@${o.k} ${r.best.score.toFixed(4)}, ${note}`);
    }
    const session = openRegistry(o.registry, o.modelsDir);
    const r = await session.publish(() => train(engine, o, progress));
    if (o.json) {
      console.log(JSON.stringify({ ...r.manifest, dir: r.dir, report: r.reportPath, activated: r.activated, ...(r.gate ? { gate: r.gate } : {}), ...(r.load ? { load: r.load } : {}) }, null, 2));
      return 0;
    }
    const m = r.manifest;
    console.log(`\nmodel ${m.version} (${m.data.source}: ${m.data.users} users, ${m.data.items} items, ${m.data.interactions} interactions)`);
    if (Object.keys(m.metrics).length > 0) console.log('\n' + metricsTable(m.metrics, m.baseline));
    console.log(`\nartifact  ${r.dir}\nreport    ${r.reportPath}${r.activated ? '\nactive    yes (servers watching this registry switch to it)' : ''}`);
    if (r.gate) console.log(`gate      ${r.gate.pass ? 'passed' : 'refused (stays a candidate)'}: ${r.gate.reason}`);
    const ev = m.data.events as { skippedRows?: number; skipped?: { eventId: string; userId: string; field: string; message: string }[] } | undefined;
    if (ev?.skippedRows) console.log(`skipped   ${ev.skippedRows} unusable stored event(s), e.g. ${ev.skipped!.map((p) => `${p.eventId} (user ${p.userId}, ${p.field}: ${p.message})`).join('; ')} (manifest data.events.skipped)`);
    const l = r.load;
    if (l) {
      const ru = l.requestCharge === undefined ? '' : `, ${Math.round(l.requestCharge)} RU, ${l.retried ?? 0} retried writes`;
      console.log(`loaded    ${l.version} into ${l.store}: ${l.users} users in ${l.seconds.toFixed(1)} s, ${l.usersPerSecond} users/s${ru}; active version ${l.version}${l.deletedVersions.length ? `; deleted ${l.deletedVersions.join(', ')}` : ''}`);
    } else if (o.load) console.log(`loaded    no: the version is not active, ${o.load.store} still serves the previous one`);
    return 0;
  },
};
