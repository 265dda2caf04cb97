// The `load` command: bulk-loads a model version's top-k table (default: the registry's active
// version) into Redis or Cosmos DB as a new store version beside the old ones, verifies it, flips
// the store's active-version pointer, prunes old versions; progress bar and a users/s (and RU) line.

import { join } from 'node:path';
import { readArtifact } from '../../model/artifact.js';
import { LocalRegistry } from '../../model/registry.js';
import { createCosmosClient, ensureContainer } from '../../store/cosmos-client.js';
import { CosmosLoadError, loadCosmos } from '../../store/cosmos-load.js';
import { tableOfArtifact } from '../../store/load-table.js';
import { createRedisClient } from '../../store/redis-client.js';
import { loadRedis } from '../../store/redis-load.js';
import { choice, flag, group, num, text } from '../../options/index.js';
import { defineCommand, UsageError } from '../command.js';
import { LOADABLE_STORES, modelsDirOption, remoteStoreConfig } from '../option-groups.js';
import { createProgress } from '../progress.js';

const options = group('Options', {
  // TODO(seams-publish): choices from storeKinds()
  store: choice({ choices: LOADABLE_STORES, metavar: 'KIND', env: 'RECS_STORE', help: 'redis or cosmos; required, as this flag or $RECS_STORE' }),
  'models-dir': modelsDirOption(),
  version: text({ metavar: 'V', defaultHelp: "the registry's active version", help: 'version to load' }),
  'keep-old': num({ metavar: 'N', integer: true, min: 0, default: 1, help: 'older store versions kept besides the new one; older ones are deleted' }),
  batch: num({ metavar: 'N', integer: true, min: 1, defaultHelp: '1000 / 500', help: 'users per Redis pipeline / per Cosmos bulk call' }),
  concurrency: num({ metavar: 'N', integer: true, min: 1, max: 64, defaultHelp: '4 / 2', help: 'pipelines / bulk calls in flight' }),
  'redis-url': text({ metavar: 'URL', defaultHelp: '$RECS_REDIS_URL, else redis://127.0.0.1:6379', help: 'Redis to load\nThe key prefix comes from $RECS_REDIS_PREFIX (default recs).' }),
  'cosmos-endpoint': text({ metavar: 'URL', defaultHelp: '$RECS_COSMOS_ENDPOINT', help: 'Cosmos DB account endpoint' }),
  quiet: flag({ help: 'no progress bar (the final line is still printed)' }),
});

export const loadCommand = defineCommand({
  name: 'load',
  summary: 'bulk-load a model version into Redis or Cosmos DB and switch to it atomically',
  about: `recs load — bulk-load a model's precomputed lists into Redis or Azure Cosmos DB.

Usage: recs load --store redis|cosmos [options]

The version is written beside the versions already in the store; once every user's entry is
there (the count is verified) the store's active-version pointer flips to it, so servers bound to
a version never read a mix. A rerun after a failure completes the load (entries are overwritten /
upserted, never duplicated). Servers serve a version from the store only once it is loaded.`,
  groups: [options],
  notes: `Cosmos DB settings come from the environment: RECS_COSMOS_AUTH (key | entra; default key when
RECS_COSMOS_KEY is set, else Entra ID through DefaultAzureCredential), RECS_COSMOS_KEY,
RECS_COSMOS_DATABASE (default recs), RECS_COSMOS_CONTAINER (default user-recs),
RECS_COSMOS_PARTITION_KEY (default /id), RECS_COSMOS_THROUGHPUT (RU/s when the container is
created; it is created if missing). Throttled (429) writes wait the server's retry-after and are
retried; writes still failing at the end are listed by id and the pointer is left unchanged.`,
  async run(v) {
    const kind = v.store;
    if (kind === undefined) throw new UsageError('--store redis|cosmos is required (or RECS_STORE)');
    const keepOld = v['keep-old'];
    const batch = v.batch ?? (kind === 'redis' ? 1000 : 500);
    const concurrency = v.concurrency ?? (kind === 'redis' ? 4 : 2);
    const cfg = remoteStoreConfig(kind, { ...(v['redis-url'] && { redisUrl: v['redis-url'] }), ...(v['cosmos-endpoint'] && { cosmosEndpoint: v['cosmos-endpoint'] }) });
    const registry = new LocalRegistry(v['models-dir']);
    const version = v.version ?? registry.activeVersion();
    if (!version) throw new UsageError(`${registry.root}: no active version; pass --version`);
    const table = tableOfArtifact(readArtifact(join(registry.root, version)));
    const progress = createProgress({ enabled: !v.quiet });
    const stage = progress.stage(`load ${kind}`, table.userIds.length, ' users');

    if (kind === 'redis') {
      const client = createRedisClient({ url: cfg.redis.url }, 'load');
      try {
        const r = await loadRedis(client, table, { prefix: cfg.redis.prefix, batch, inFlight: concurrency, keepOld, onProgress: (d) => stage.update(d) });
        stage.done();
        console.log(`loaded ${version} into redis: ${r.users} users in ${r.seconds.toFixed(1)} s, ${Math.round(r.users / r.seconds)} users/s; active version ${version}${r.deletedVersions.length ? `; deleted ${r.deletedVersions.join(', ')}` : ''}`);
      } finally {
        client.disconnect();
      }
      return 0;
    }
    const client = createCosmosClient(cfg.cosmos);
    try {
      const container = await ensureContainer(client, cfg.cosmos);
      const r = await loadCosmos(container, table, { chunk: batch, concurrency, keepOld, partitionKey: cfg.cosmos.partitionKey ?? '/id', onProgress: (d, ru) => stage.update(d, `${Math.round(ru)} RU`) }).catch((e: unknown) => {
        if (e instanceof CosmosLoadError) console.error(`${e.message}; the active version is unchanged. Failed ids (${e.failedIds.length}): ${e.failedIds.slice(0, 50).join(', ')}${e.failedIds.length > 50 ? ', …' : ''}`);
        throw e;
      });
      stage.done(`${Math.round(r.requestCharge)} RU`);
      console.log(
        `loaded ${version} into cosmos: ${r.users} users in ${r.seconds.toFixed(1)} s, ${Math.round(r.users / r.seconds)} users/s, ${Math.round(r.requestCharge)} RU (${(r.requestCharge / r.users).toFixed(1)} RU/user), ${r.retried} retried writes; active version ${version}${r.deletedVersions.length ? `; deleted ${r.deletedVersions.join(', ')}` : ''}`,
      );
    } finally {
      client.dispose();
    }
    return 0;
  },
});
