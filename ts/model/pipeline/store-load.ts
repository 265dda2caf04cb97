// Owns `train --load STORE`: bulk-loading the new version's top-k table into Redis or Cosmos DB
// with the same loaders (and switch-over: write beside, verify, flip the pointer, prune) as
// `recs load`, reporting progress and the rate.

import { createCosmosClient, ensureContainer } from '../../store/cosmos-client.js';
import { loadCosmos } from '../../store/cosmos-load.js';
import type { StoreConfig } from '../../store/config.js';
import type { LoadTable } from '../../store/load-table.js';
import { createRedisClient } from '../../store/redis-client.js';
import { loadRedis } from '../../store/redis-load.js';
import type { Progress } from './progress.js';

export interface StoreLoadOptions {
  store: 'redis' | 'cosmos';
  /** Connection settings (as `recs load` reads them: storeConfigFromEnv). */
  config: StoreConfig;
  /** Older store versions kept besides the new one (default 1, as `recs load`). */
  keepOld?: number;
}

export interface StoreLoadResult {
  store: 'redis' | 'cosmos';
  version: string;
  users: number;
  seconds: number;
  usersPerSecond: number;
  /** Cosmos DB only. */
  requestCharge?: number;
  retried?: number;
  deletedVersions: string[];
}

export async function loadIntoStore(table: LoadTable, o: StoreLoadOptions, progress: Progress): Promise<StoreLoadResult> {
  const stage = progress.stage(`load ${o.store}`, table.userIds.length, ' users');
  const keepOld = o.keepOld ?? 1;
  const rate = (users: number, seconds: number) => Math.round(users / Math.max(seconds, 1e-9));
  if (o.store === 'redis') {
    const client = createRedisClient({ url: o.config.redis.url }, 'load');
    try {
      const r = await loadRedis(client, table, { prefix: o.config.redis.prefix, keepOld, onProgress: (d) => stage.update(d) });
      const usersPerSecond = rate(r.users, r.seconds);
      stage.done(`${usersPerSecond} users/s`);
      return { store: 'redis', version: table.version, users: r.users, seconds: r.seconds, usersPerSecond, deletedVersions: r.deletedVersions };
    } finally {
      client.disconnect();
    }
  }
  const client = createCosmosClient(o.config.cosmos);
  try {
    const container = await ensureContainer(client, o.config.cosmos);
    const r = await loadCosmos(container, table, { keepOld, partitionKey: o.config.cosmos.partitionKey ?? '/id', onProgress: (d, ru) => stage.update(d, `${Math.round(ru)} RU`) });
    const usersPerSecond = rate(r.users, r.seconds);
    stage.done(`${usersPerSecond} users/s, ${Math.round(r.requestCharge)} RU`);
    return { store: 'cosmos', version: table.version, users: r.users, seconds: r.seconds, usersPerSecond, requestCharge: r.requestCharge, retried: r.retried, deletedVersions: r.deletedVersions };
  } finally {
    client.dispose();
  }
}
