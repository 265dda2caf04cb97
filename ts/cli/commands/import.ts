// The `import` command: `recs import spark --model PATH` turns an ALSModel saved by Spark (Azure
// Databricks, spark/train_als.py or any job) into a versioned model of this registry — top-k for
// every user computed here, evaluated on a test file, published through the quality gate and
// optionally loaded into Redis or Cosmos DB — so Spark trains and this project serves.

import { parseColumnSpec, parseDelimiterName } from '../../data/index.js';
import { loadEngine } from '../../engine/index.js';
import { DEFAULT_TOLERANCE } from '../../model/lifecycle/gate.js';
import { registryFromEnv } from '../../model/registry/config.js';
import { openRegistry } from '../../model/registry/open.js';
import { fetchSparkModel } from '../../model/spark/fetch-model.js';
import { importSparkModel, type SparkImportOptions } from '../../model/spark/import.js';
import { flag, group, num, text } from '../../options/index.js';
import { defineCommand, UsageError } from '../command.js';
import { metricsTable } from '../metrics-table.js';
import { loadOption, outputGroup, registryGroup } from '../option-groups.js';
import { storeLoadOption } from '../store-option.js';
import { createProgress } from '../progress.js';

const model = group('Model and data', {
  model: text({ metavar: 'PATH', help: 'the saved ALSModel (required)' }),
  'id-map': text({
    metavar: 'DIR',
    defaultHelp: "PATH/recs-ids when present (spark/train_als.py writes it), else Spark's integer ids are the ids",
    help: 'Spark-id → original-id tables (DIR/users/, DIR/items/: Parquet with id: int, key: string)',
  }),
  interactions: text({
    metavar: 'FILE',
    help: "the interactions the model was trained on (CSV/TSV/JSONL user,item[,…], as recs train --file reads them): their items are left out of each user's list and they make the popularity list",
  }),
  'test-file': text({
    metavar: 'FILE',
    help: 'evaluate on it (full ranking, training items excluded) beside the popularity baseline; needs --interactions. Without it the gate has nothing to compare: use --force, or --no-activate',
  }),
  delimiter: text({ metavar: 'SEP', help: 'as recs train, for both files' }),
  columns: text({ metavar: 'SPEC', help: 'as recs train, for both files' }),
  'skip-bad-lines': flag({ help: 'count malformed lines of those files instead of stopping' }),
  k: num({ metavar: 'N', integer: true, min: 1, default: 10, help: 'evaluation cut-off' }),
  depth: num({ metavar: 'N', integer: true, min: 1, max: 1000, default: 30, help: 'recommendations stored per user' }),
});

const publishing = group('Publishing', {
  tolerance: num({ metavar: 'X', min: 0, default: DEFAULT_TOLERANCE, help: "the quality gate's tolerance" }),
  force: flag({ help: 'activate without the quality gate' }),
  'no-activate': flag({ help: 'register the version as a candidate only' }),
  load: loadOption('bulk-load its lists into that store before it becomes active (as recs load; after the gate, if any)'),
});

export const importCommand = defineCommand({
  name: 'import',
  summary: 'import a model trained on Spark (ALSModel) as a versioned model, through the quality gate',
  about: `recs import — bring a model trained elsewhere into the registry.

Usage: recs import spark --model PATH [options]

PATH is the directory Spark's ALSModel.write().save(PATH) wrote (metadata/, userFactors/,
itemFactors/), local or blob://<container>/<prefix> (Blob Storage or ADLS Gen2, authenticated as
the blob registry: AZURE_STORAGE_CONNECTION_STRING, or RECS_BLOB_ACCOUNT_URL with Entra ID).
Every factor row is checked (rank, finite values, unique ids); the top-k of every user is computed
by this engine and written as a normal versioned artifact, with the Spark parameters in its
manifest, then published through the quality gate like a trained version.`,
  groups: [
    model,
    publishing,
    registryGroup({
      registry:
        'With a blob registry it is pulled first (the gate compares with the active version there) and the new version pushed after; the pointer moves only if no other writer moved it meanwhile.',
    }),
    outputGroup('print the manifest and the outcome as JSON'),
  ],
  positionals: true,
  async run(v, { positionals, given }) {
    const [kind, ...extra] = positionals;
    if (kind !== 'spark') throw new UsageError(kind === undefined ? 'what to import: recs import spark --model PATH' : `unknown source "${kind}"; recs import spark --model PATH`);
    if (extra.length > 0) throw new UsageError(`import spark takes options only; got "${extra.join(' ')}"`);
    if (!v.model) throw new UsageError('--model PATH is required (the directory ALSModel.write().save wrote, local or blob://…)');
    if (v['test-file'] && !v.interactions) throw new UsageError('--test-file needs --interactions FILE (seen items and the popularity baseline come from it)');
    if (v.force && v['no-activate']) throw new UsageError('--force and --no-activate contradict each other');
    if (given('tolerance') && v.force) throw new UsageError('--tolerance goes with the gate, not --force');
    const activate = !v['no-activate'];
    let load: SparkImportOptions['load'];
    if (v.load !== undefined) {
      if (!activate) throw new UsageError('--load serves the new version: it cannot go with --no-activate');
      load = storeLoadOption('load', v.load);
    }
    let columns: ReturnType<typeof parseColumnSpec> | undefined;
    let delimiter: ReturnType<typeof parseDelimiterName> | undefined;
    try {
      if (v.columns !== undefined) columns = parseColumnSpec(v.columns);
      if (v.delimiter !== undefined) delimiter = parseDelimiterName(v.delimiter);
    } catch (e) {
      throw new UsageError((e as Error).message.startsWith('--') ? (e as Error).message : `--columns/--delimiter: ${(e as Error).message}`);
    }
    const modelsDir = v['models-dir'];
    const session = openRegistry(registryFromEnv(v.registry), modelsDir);
    const progress = createProgress({ enabled: !v.json && !v.quiet });
    const engine = loadEngine();
    const fetched = await fetchSparkModel(v.model);
    try {
      const o: SparkImportOptions = {
        modelDir: fetched.dir,
        source: v.model,
        ...(v['id-map'] ? { idMapDir: v['id-map'] } : {}),
        ...(v.interactions ? { interactions: v.interactions } : {}),
        ...(v['test-file'] ? { testFile: v['test-file'] } : {}),
        ...(delimiter !== undefined ? { delimiter } : {}),
        ...(columns ? { columns } : {}),
        skipBadLines: v['skip-bad-lines'] ?? false,
        k: v.k,
        depth: v.depth,
        modelsDir,
        activate,
        gate: v.force ? null : { tolerance: v.tolerance },
        ...(load ? { load } : {}),
      };
      const r = await session.publish(() => importSparkModel(engine, o, progress));
      const m = r.manifest;
      if (v.json) {
        console.log(JSON.stringify({ ...m, dir: r.dir, activated: r.activated, ...(r.gate ? { gate: r.gate } : {}), ...(r.load ? { load: r.load } : {}) }, null, 2));
        return 0;
      }
      console.log(`\nmodel ${m.version} (${m.data.source}: ${m.data.users} users, ${m.data.items} items, rank ${String(m.params['rank'])})`);
      if (r.unknownRows) console.log(`left out ${r.unknownRows} interaction rows of users or items the model has no factors for`);
      if (Object.keys(m.metrics).length > 0) console.log('\n' + metricsTable(m.metrics, m.baseline));
      console.log(`\nartifact  ${r.dir}${r.activated ? '\nactive    yes (servers watching this registry switch to it)' : '\nactive    no (a candidate: recs models promote ' + m.version + ')'}`);
      if (r.gate)
        console.log(
          `gate      ${r.gate.pass ? 'passed' : 'refused (stays a candidate)'}: ${r.gate.reason}${r.gate.pass || Object.keys(m.metrics).length ? '' : ' — give --interactions and --test-file, or --force'}`,
        );
      if (r.load) console.log(`loaded    ${r.load.version} into ${r.load.store}: ${r.load.users} users in ${r.load.seconds.toFixed(1)} s, ${r.load.usersPerSecond} users/s`);
      return r.activated || !activate ? 0 : 1;
    } finally {
      fetched.cleanup();
    }
  },
});
