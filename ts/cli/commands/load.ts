// The `load` command: bulk-loads a model version's top-k table (default: the registry's active
// version) into Redis or Cosmos DB as a new store version beside the old ones, verifies it, flips
// the store's active-version pointer, prunes old versions; progress bar and a users/s (and RU) line.

import { parseArgs } from 'node:util';
import { publish } from '../../model/lifecycle/publish.js';
import { LocalRegistry } from '../../model/registry.js';
import { describeBulkLoad } from '../../store/config.js';
import { loadableStoreKinds, storeBackend } from '../../store/registry.js';
import { numberOption, UsageError, type Command } from '../command.js';
import { createProgress } from '../progress.js';
import { storeLoadOption } from '../store-option.js';

const help = `recs load — bulk-load a model's precomputed lists into Redis or Azure Cosmos DB.

Usage: recs load --store ${loadableStoreKinds().join('|')} [options]

The version is written beside the versions already in the store; once every user's entry is
there (the count is verified) the store's active-version pointer flips to it, so servers bound to
a version never read a mix. A rerun after a failure completes the load (entries are overwritten /
upserted, never duplicated). Servers serve a version from the store only once it is loaded.

Options:
  --store KIND          ${loadableStoreKinds().join(' or ')} (default $RECS_STORE)
  --models-dir DIR      model registry (default ./models)
  --version V           version to load (default: the registry's active version)
  --keep-old N          older store versions kept besides the new one; older ones are deleted
                        (default 1)
  --batch N             users per Redis pipeline / per Cosmos bulk call (default 1000 / 500)
  --concurrency N       pipelines / bulk calls in flight (default 4 / 2)
  --redis-url URL       Redis to load (default $RECS_REDIS_URL, else redis://127.0.0.1:6379);
                        key prefix from $RECS_REDIS_PREFIX (default recs)
  --cosmos-endpoint URL Cosmos DB account endpoint (default $RECS_COSMOS_ENDPOINT)
  --quiet               no progress bar (the final line is still printed)

Cosmos DB settings come from the environment: RECS_COSMOS_AUTH (key | entra; default key when
RECS_COSMOS_KEY is set, else Entra ID through DefaultAzureCredential), RECS_COSMOS_KEY,
RECS_COSMOS_DATABASE (default recs), RECS_COSMOS_CONTAINER (default user-recs),
RECS_COSMOS_PARTITION_KEY (default /id), RECS_COSMOS_THROUGHPUT (RU/s when the container is
created; it is created if missing). Throttled (429) writes wait the server's retry-after and are
retried; writes still failing at the end are listed by id and the pointer is left unchanged.`;

export const loadCommand: Command = {
  name: 'load',
  summary: 'bulk-load a model version into Redis or Cosmos DB and switch to it atomically',
  help,
  async run(argv) {
    const { values: v } = parseArgs({
      args: argv,
      strict: true,
      options: {
        store: { type: 'string' },
        'models-dir': { type: 'string' },
        version: { type: 'string' },
        'keep-old': { type: 'string' },
        batch: { type: 'string' },
        concurrency: { type: 'string' },
        'redis-url': { type: 'string' },
        'cosmos-endpoint': { type: 'string' },
        quiet: { type: 'boolean' },
      },
    });
    const kindName = v.store ?? process.env['RECS_STORE'];
    if (!kindName) throw new UsageError(`--store ${loadableStoreKinds().join('|')} is required (or RECS_STORE)`);
    const load = storeLoadOption('store', kindName, process.env, { redisUrl: v['redis-url'], cosmosEndpoint: v['cosmos-endpoint'] });
    const defaults = storeBackend(load.store).loadDefaults!;
    load.keepOld = numberOption('keep-old', v['keep-old'], 1, { integer: true, min: 0 });
    load.batch = numberOption('batch', v.batch, defaults.batch, { integer: true, min: 1 });
    load.concurrency = numberOption('concurrency', v.concurrency, defaults.concurrency, { integer: true, min: 1, max: 64 });
    const registry = new LocalRegistry(v['models-dir'] ?? './models');
    const version = v.version ?? registry.activeVersion();
    if (!version) throw new UsageError(`${registry.root}: no active version; pass --version`);
    const r = await publish(registry, version, { activate: false, load }, createProgress({ enabled: !v.quiet }));
    console.log(describeBulkLoad(r.load!));
    return 0;
  },
};
