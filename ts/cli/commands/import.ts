// The `import` command: `recs import spark --model PATH` turns an ALSModel saved by Spark (Azure
// Databricks, spark/train_als.py or any job) into a versioned model of this registry — top-k for
// every user computed here, evaluated on a test file, published through the quality gate and
// optionally loaded into Redis or Cosmos DB — so Spark trains and this project serves.

import { parseArgs } from 'node:util';
import { parseColumnSpec, parseDelimiterName } from '../../data/index.js';
import { loadEngine } from '../../engine/index.js';
import { DEFAULT_TOLERANCE } from '../../model/lifecycle/gate.js';
import { REGISTRY_HELP, registryFromEnv } from '../../model/registry/config.js';
import { openRegistry } from '../../model/registry/open.js';
import { fetchSparkModel } from '../../model/spark/fetch-model.js';
import { importSparkModel, type SparkImportOptions } from '../../model/spark/import.js';
import { storeConfigFromEnv, StoreConfigError } from '../../store/config.js';
import { choiceOption, numberOption, UsageError, type Command } from '../command.js';
import { metricsTable } from '../metrics-table.js';
import { createProgress } from '../progress.js';

const help = `recs import — bring a model trained elsewhere into the registry.

Usage: recs import spark --model PATH [options]

PATH is the directory Spark's ALSModel.write().save(PATH) wrote (metadata/, userFactors/,
itemFactors/), local or blob://<container>/<prefix> (Blob Storage or ADLS Gen2, authenticated as
the blob registry: AZURE_STORAGE_CONNECTION_STRING, or RECS_BLOB_ACCOUNT_URL with Entra ID).
Every factor row is checked (rank, finite values, unique ids); the top-k of every user is computed
by this engine and written as a normal versioned artifact, with the Spark parameters in its
manifest, then published through the quality gate like a trained version.

Options:
  --model PATH            the saved ALSModel (required)
  --id-map DIR            Spark-id → original-id tables (DIR/users/, DIR/items/: Parquet with
                          id: int, key: string); default PATH/recs-ids when present (spark/train_als.py
                          writes it), else Spark's integer ids are the ids
  --interactions FILE     the interactions the model was trained on (CSV/TSV/JSONL user,item[,…], as
                          recs train --file reads them): their items are left out of each user's list
                          and they make the popularity list
  --test-file FILE        evaluate on it (full ranking, training items excluded) beside the popularity
                          baseline; needs --interactions. Without it the gate has nothing to compare:
                          use --force, or --no-activate
  --delimiter SEP, --columns SPEC   as recs train, for both files
  --skip-bad-lines        count malformed lines of those files instead of stopping
  --k N                   evaluation cut-off (default 10)
  --depth N               recommendations stored per user (default 30)
  --models-dir DIR        model registry (default ./models)
  ${REGISTRY_HELP}
  --tolerance X           the quality gate's tolerance (default ${DEFAULT_TOLERANCE})
  --force                 activate without the quality gate
  --no-activate           register the version as a candidate only
  --load redis|cosmos     once active, bulk-load its lists into Redis or Cosmos DB (as recs load)
  --json                  print the manifest and the outcome as JSON
  --quiet                 no progress bars`;

export const importCommand: Command = {
  name: 'import',
  summary: 'import a model trained on Spark (ALSModel) as a versioned model, through the quality gate',
  help,
  async run(argv) {
    const [kind, ...rest] = argv;
    if (kind !== 'spark') throw new UsageError(kind === undefined ? 'what to import: recs import spark --model PATH' : `unknown source "${kind}"; recs import spark --model PATH`);
    const { values: v } = parseArgs({
      args: rest,
      strict: true,
      options: {
        model: { type: 'string' }, 'id-map': { type: 'string' }, interactions: { type: 'string' }, 'test-file': { type: 'string' },
        delimiter: { type: 'string' }, columns: { type: 'string' }, 'skip-bad-lines': { type: 'boolean' }, k: { type: 'string' }, depth: { type: 'string' },
        'models-dir': { type: 'string' }, registry: { type: 'string' }, tolerance: { type: 'string' }, force: { type: 'boolean' }, 'no-activate': { type: 'boolean' },
        load: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' },
      },
    });
    if (!v.model) throw new UsageError('--model PATH is required (the directory ALSModel.write().save wrote, local or blob://…)');
    if (v['test-file'] && !v.interactions) throw new UsageError('--test-file needs --interactions FILE (seen items and the popularity baseline come from it)');
    if (v.force && v['no-activate']) throw new UsageError('--force and --no-activate contradict each other');
    if (v.tolerance !== undefined && v.force) throw new UsageError('--tolerance goes with the gate, not --force');
    const activate = !v['no-activate'];
    let load: SparkImportOptions['load'];
    if (v.load !== undefined) {
      const store = choiceOption('load', v.load, ['redis', 'cosmos'] as const, 'redis');
      if (!activate) throw new UsageError('--load serves the new version: it cannot go with --no-activate');
      try {
        load = { store, config: storeConfigFromEnv(process.env, { kind: store }) };
      } catch (e) {
        if (e instanceof StoreConfigError) throw new UsageError(e.message);
        throw e;
      }
    }
    let columns;
    let delimiter;
    try {
      if (v.columns !== undefined) columns = parseColumnSpec(v.columns);
      if (v.delimiter !== undefined) delimiter = parseDelimiterName(v.delimiter);
    } catch (e) {
      throw new UsageError((e as Error).message.startsWith('--') ? (e as Error).message : `--columns/--delimiter: ${(e as Error).message}`);
    }
    const modelsDir = v['models-dir'] ?? './models';
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
        k: numberOption('k', v.k, 10, { integer: true, min: 1 }),
        depth: numberOption('depth', v.depth, 30, { integer: true, min: 1, max: 1000 }),
        modelsDir,
        activate,
        gate: v.force ? null : { tolerance: numberOption('tolerance', v.tolerance, DEFAULT_TOLERANCE, { min: 0 }) },
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
      if (r.gate) console.log(`gate      ${r.gate.pass ? 'passed' : 'refused (stays a candidate)'}: ${r.gate.reason}${r.gate.pass || Object.keys(m.metrics).length ? '' : ' — give --interactions and --test-file, or --force'}`);
      if (r.load) console.log(`loaded    ${r.load.version} into ${r.load.store}: ${r.load.users} users in ${r.load.seconds.toFixed(1)} s, ${r.load.usersPerSecond} users/s`);
      return r.activated || !activate ? 0 : 1;
    } finally {
      fetched.cleanup();
    }
  },
};
