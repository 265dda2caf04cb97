// The `train` command: parses options (Spark's parameter names), runs the training pipeline with
// progress bars, and prints the metrics beside the popularity baseline.

import { parseArgs } from 'node:util';
import { MOVIELENS_SIZES, type MovieLensSize } from '../../data/index.js';
import { loadEngine } from '../../engine/index.js';
import { DEFAULT_OPTIONS, PRESETS, type DatasetSource, type TrainOptions } from '../../model/pipeline/options.js';
import { train } from '../../model/pipeline/train.js';
import { DEFAULT_TOLERANCE } from '../../model/lifecycle/gate.js';
import { parseFeedback } from '../../model/pipeline/feedback.js';
import { readParamsFile } from '../../model/pipeline/params-file.js';
import { choiceOption, numberOption, UsageError, type Command } from '../command.js';
import { createProgress } from '../progress.js';
import { storeConfigFromEnv, StoreConfigError } from '../../store/config.js';
import { metricsTable } from '../metrics-table.js';
import { eventsDbOption } from '../events-db.js';
import { REGISTRY_HELP, registryFromEnv, type RegistryLocation } from '../../model/registry/config.js';
import { openRegistry } from '../../model/registry/open.js';

const DATASETS = [...MOVIELENS_SIZES.map((s) => `ml-${s}`), 'synthetic', 'synthetic-ml-1m', 'synthetic-ml-25m'];

const D = DEFAULT_OPTIONS.als;

const help = `recs train — fit ALS, evaluate it beside a popularity baseline, precompute every user's top-k,
and write a versioned model artifact with an HTML report.

Data:
  --dataset NAME          ${DATASETS.join(', ')} (default ml-100k).
                          MovieLens is downloaded from GroupLens and cached (checksum-verified).
  --data-dir DIR          read an unzipped MovieLens folder instead of downloading (e.g. ../shared/datasets/ml-100k)
  --file PATH             a CSV/TSV/JSONL of user,item[,rating][,timestamp] instead of MovieLens
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
  --events-db PATH        the same as --events (train merges events only when given one of them;
                          $RECS_EVENTS_DB is read by "recs serve" and "recs retrain", not here).

Preparation:
  --min-user-count N      drop users with fewer interactions (one pass, items first, then users)
  --min-item-count N      drop items with fewer interactions
  --k-core N              repeat both filters at N until every user and item has N interactions
  Duplicate (user, item) pairs always resolve to the latest timestamp (ties: the later line).

Split (Microsoft Recommenders' python_splitters semantics):
  --split METHOD          random | stratified | chrono (default stratified)
  --ratio R               training share (default 0.75)
  --split-by user|item    grouping of stratified and chrono splits (default user)
  --split-seed N          (default 42)
  --min-rating N          minimum interactions per group, as Recommenders' min_rating (default 1)

ALS (Spark MLlib's names):
  --rank N                latent factors (default ${D.rank})
  --maxIter N             iterations (default ${D.maxIter})
  --regParam X            regularisation λ (default ${D.regParam})
  --implicitPrefs         implicit feedback, Hu–Koren–Volinsky (default)
  --explicit              explicit ratings, Spark's ALS with implicitPrefs=false
  --alpha X               confidence scale for implicit feedback (default ${D.alpha})
  --nonnegative           nonnegative factors (NNLS)
  --seed N                seed of the initial factors (default ${D.seed})
  --solver cholesky|cg    exact solve or conjugate gradient (default cg for implicit, cholesky for explicit)
  --cg-steps N            conjugate-gradient steps per row (default 3)
  --reg-scaling spark|plain   λ·n per row (Spark's ALS-WR) or plain λ (the implicit library) (default spark)
  --confidence one-plus-alpha|linear|log   how a value becomes a confidence (default one-plus-alpha)
  --confidence-epsilon X  ε of the log confidence (default 1)
  --threads N             worker threads, 0 = all cores (results do not depend on it)
  --feedback KIND         how ratings become implicit feedback: value (the rating), binary (1 each),
                          threshold:T (≥ T positive, below: seen but disliked) (default value)
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
      'cache-dir': { type: 'string' }, offline: { type: 'boolean' }, 'skip-bad-lines': { type: 'boolean' }, 'seed-data': { type: 'string' },
      'min-user-count': { type: 'string' }, 'min-item-count': { type: 'string' }, 'k-core': { type: 'string' },
      split: { type: 'string' }, ratio: { type: 'string' }, 'split-by': { type: 'string' }, 'split-seed': { type: 'string' }, 'min-rating': { type: 'string' },
      rank: { type: 'string' }, maxIter: { type: 'string' }, regParam: { type: 'string' }, implicitPrefs: { type: 'boolean' }, explicit: { type: 'boolean' },
      alpha: { type: 'string' }, nonnegative: { type: 'boolean' }, seed: { type: 'string' }, solver: { type: 'string' }, 'cg-steps': { type: 'string' },
      'reg-scaling': { type: 'string' }, confidence: { type: 'string' }, 'confidence-epsilon': { type: 'string' }, threads: { type: 'string' },
      preset: { type: 'string' }, feedback: { type: 'string' }, params: { type: 'string' }, k: { type: 'string' }, depth: { type: 'string' }, 'no-evaluate': { type: 'boolean' }, 'no-refit': { type: 'boolean' },
      beyond: { type: 'string' }, 'models-dir': { type: 'string' }, 'no-activate': { type: 'boolean' }, json: { type: 'boolean' }, quiet: { type: 'boolean' },
} as const;

type TrainValues = ReturnType<typeof parseTrainArgs>['values'];

function parseTrainArgs(argv: string[]) {
  return parseArgs({ args: argv, strict: true, options: TRAIN_OPTIONS });
}

/** Options only `train` takes (not `tune` or `retrain`). */
const TRAIN_ONLY_OPTIONS = { gate: { type: 'boolean' }, tolerance: { type: 'string' }, events: { type: 'string' }, 'events-db': { type: 'string' }, load: { type: 'string' }, registry: { type: 'string' } } as const;

function parse(argv: string[]): TrainOptions & { json: boolean; quiet: boolean; registry: RegistryLocation } {
  const { values } = parseArgs({ args: argv, strict: true, options: { ...TRAIN_OPTIONS, ...TRAIN_ONLY_OPTIONS } });
  const o = buildTrainOptions(values);
  if (values.events !== undefined && values['events-db'] !== undefined && values.events !== values['events-db']) throw new UsageError('--events and --events-db name different event stores; give one');
  const events = eventsDbOption(values.events !== undefined ? 'events' : 'events-db', values.events ?? values['events-db'], {}, { mustExist: true });
  if (events !== undefined) o.events = events;
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
  if (v.params !== undefined) {
    const file = readParamsFile(v.params);
    o.als = { ...o.als, ...file.params };
    if (file.feedback) o.feedback = file.feedback;
  }
  if (v.feedback !== undefined) {
    try {
      o.feedback = parseFeedback(v.feedback);
    } catch (e) {
      throw new UsageError(`--${(e as Error).message}`);
    }
  }
  o.dataset = dataset(v.dataset, v['data-dir'], v.file, v['items-file'], numberOption('seed-data', v['seed-data'], 42, { integer: true }), o.dataset);
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
    solver: choiceOption('solver', v.solver, ['cholesky', 'cg'] as const, implicitPrefs && !(v.nonnegative ?? a.nonnegative) ? a.solver : 'cholesky'),
    cgSteps: numberOption('cg-steps', v['cg-steps'], a.cgSteps, { integer: true, min: 1, max: 1000 }),
    regScaling: choiceOption('reg-scaling', v['reg-scaling'], ['spark', 'plain'] as const, a.regScaling),
    confidence: choiceOption('confidence', v.confidence, ['one-plus-alpha', 'linear', 'log'] as const, a.confidence),
    confidenceEpsilon: numberOption('confidence-epsilon', v['confidence-epsilon'], a.confidenceEpsilon, { min: 1e-9 }),
    threads: numberOption('threads', v.threads, a.threads, { integer: true, min: 0, max: 1024 }),
  };
  if (o.als.solver === 'cg' && !o.als.implicitPrefs) throw new UsageError('--solver cg is for implicit feedback; explicit ALS uses cholesky');
  o.k = numberOption('k', v.k, o.k, { integer: true, min: 1, max: 1000 });
  o.depth = numberOption('depth', v.depth, Math.max(o.depth, o.k), { integer: true, min: 1, max: 1000 });
  o.evaluate = !v['no-evaluate'];
  o.refit = !v['no-refit'];
  o.beyondAccuracy = choiceOption('beyond', v.beyond, ['all', 'coverage', 'none'] as const, o.beyondAccuracy);
  o.modelsDir = v['models-dir'] ?? process.env.RECS_MODELS_DIR ?? o.modelsDir;
  o.activate = !v['no-activate'];
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

function sizeOfDir(dir: string): MovieLensSize {
  const m = /ml-(100k|1m|10m|20m|25m|32m|latest-small)/.exec(dir);
  return (m?.[1] as MovieLensSize | undefined) ?? '100k';
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'fit ALS, evaluate beside a popularity baseline, precompute top-k, write a model artifact',
  help,
  async run(argv) {
    const o = parse(argv);
    const progress = createProgress({ enabled: !o.json && !o.quiet });
    const engine = loadEngine();
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
