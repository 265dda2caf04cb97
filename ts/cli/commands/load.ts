// The `load` command: bulk-loads a model version's top-k table (default: the registry's active
// version) into Redis or Cosmos DB as a new store version beside the old ones, verifies it, flips
// the store's active-version pointer, prunes old versions; progress bar and a users/s (and RU) line.
// With --shards, one slice of the users per process (the last shard to finish flips the pointer).

import { publish } from '../../model/lifecycle/publish.js';
import { LocalRegistry } from '../../model/registry.js';
import { describeBulkLoad } from '../../store/config.js';
import { storeBackend } from '../../store/registry.js';
import { choice, flag, group, num, text } from '../../options/index.js';
import { defineCommand, UsageError } from '../command.js';
import { LOADABLE_STORES, modelsDirOption, resolveShard, shardOptions } from '../option-groups.js';
import { createProgress } from '../progress.js';
import { storeLoadOption } from '../store-option.js';

const options = group('Options', {
  store: choice({ choices: LOADABLE_STORES, metavar: 'KIND', env: 'RECS_STORE', help: `${LOADABLE_STORES.join(' or ')}; required, as this flag or $RECS_STORE` }),
  'models-dir': modelsDirOption(),
  version: text({ metavar: 'V', defaultHelp: "the registry's active version", help: 'version to load' }),
  'keep-old': num({ metavar: 'N', integer: true, min: 0, default: 1, help: 'older store versions kept besides the new one; older ones are deleted' }),
  batch: num({ metavar: 'N', integer: true, min: 1, defaultHelp: '1000 / 500', help: 'users per Redis pipeline / per Cosmos bulk call' }),
  concurrency: num({ metavar: 'N', integer: true, min: 1, max: 64, defaultHelp: '4 / 2', help: 'pipelines / bulk calls in flight' }),
  'redis-url': text({ metavar: 'URL', defaultHelp: '$RECS_REDIS_URL, else redis://127.0.0.1:6379', help: 'Redis to load\nThe key prefix comes from $RECS_REDIS_PREFIX (default recs).' }),
  'cosmos-endpoint': text({ metavar: 'URL', defaultHelp: '$RECS_COSMOS_ENDPOINT', help: 'Cosmos DB account endpoint' }),
  ...shardOptions('one process loads every user'),
  quiet: flag({ help: 'no progress bar (the final line is still printed)' }),
});

export const loadCommand = defineCommand({
  name: 'load',
  summary: 'bulk-load a model version into Redis or Cosmos DB and switch to it atomically',
  about: `recs load — bulk-load a model's precomputed lists into Redis or Azure Cosmos DB.

Usage: recs load --store ${LOADABLE_STORES.join('|')} [options]

The version is written beside the versions already in the store; once every user's entry is
there (the count is verified) the store's active-version pointer flips to it, so servers bound to
a version never read a mix. A rerun after a failure completes the load (entries are overwritten /
upserted, never duplicated). Servers serve a version from the store only once it is loaded.

With --shards N, each of N processes (a Kubernetes Indexed Job: --shard defaults to
$JOB_COMPLETION_INDEX) loads and verifies its slice of the users; the shard that finds every
user of the version present (the last to finish) flips the pointer, the others leave it. A
partial load is never served; a rerun of any shard is idempotent and completes a switch left
undone. Every shard must be given the same --shards.`,
  groups: [options],
  notes: `Cosmos DB settings come from the environment: RECS_COSMOS_AUTH (key | entra; default key when
RECS_COSMOS_KEY is set, else Entra ID through DefaultAzureCredential), RECS_COSMOS_KEY,
RECS_COSMOS_DATABASE (default recs), RECS_COSMOS_CONTAINER (default user-recs),
RECS_COSMOS_PARTITION_KEY (default /id), RECS_COSMOS_THROUGHPUT (RU/s when the container is
created; it is created if missing). Throttled (429) writes wait the server's retry-after and are
retried; writes still failing at the end are listed by id and the pointer is left unchanged.`,
  async run(v, parsed) {
    const kind = v.store;
    if (kind === undefined) throw new UsageError(`--store ${LOADABLE_STORES.join('|')} is required (or RECS_STORE)`);
    const load = storeLoadOption('store', kind, process.env, { redisUrl: v['redis-url'], cosmosEndpoint: v['cosmos-endpoint'] });
    const defaults = storeBackend(load.store).loadDefaults!;
    load.keepOld = v['keep-old'];
    load.batch = v.batch ?? defaults.batch;
    load.concurrency = v.concurrency ?? defaults.concurrency;
    const { shard, shards } = resolveShard(v, parsed.given('shard'));
    if (shards > 1) load.shard = { index: shard, count: shards };
    const registry = new LocalRegistry(v['models-dir']);
    const version = v.version ?? registry.activeVersion();
    if (!version) throw new UsageError(`${registry.root}: no active version; pass --version`);
    // the publish step's load alone: the registry's ACTIVE pointer is not moved
    const r = await publish(registry, version, { activate: false, load }, createProgress({ enabled: !v.quiet }));
    console.log(describeBulkLoad(r.load!));
    return 0;
  },
});
