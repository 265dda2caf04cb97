// Owns loading a version's top-k table into a serving store for the lifecycle (publish: `train
// --load`, `retrain --load`, `recs load`): the configured back end's bulk load (ts/store: write
// beside, verify, flip the store's pointer, prune), drawn as a progress stage with its rate.

import type { BulkLoadResult } from '../../store/backend.js';
import { bulkLoad, type StoreConfig, type StoreKind } from '../../store/config.js';
import type { LoadTable } from '../../store/load-table.js';
import type { Progress } from './progress.js';

export interface StoreLoadOptions {
  /** The back end to load (one of loadableStoreKinds()). */
  store: StoreKind;
  /** Connection settings (as `recs load` reads them: storeConfigFromEnv). */
  config: StoreConfig;
  /** Older store versions kept besides the new one (default 1, as `recs load`). */
  keepOld?: number;
  /** Users per write batch and batches in flight (default: the back end's). */
  batch?: number;
  concurrency?: number;
  /** Load only shard `index` of `count` of the users (`recs load --shard I --shards N`). */
  shard?: { index: number; count: number };
}

export type StoreLoadResult = BulkLoadResult;

export async function loadIntoStore(table: LoadTable, o: StoreLoadOptions, progress: Progress): Promise<StoreLoadResult> {
  const stage = progress.stage(`load ${o.store}`, table.userIds.length, ' users');
  const r = await bulkLoad({ ...o.config, kind: o.store }, table, {
    keepOld: o.keepOld ?? 1,
    ...(o.batch !== undefined && { batch: o.batch }),
    ...(o.concurrency !== undefined && { concurrency: o.concurrency }),
    onProgress: (d, note) => stage.update(d, note),
  });
  stage.done(`${r.usersPerSecond} users/s${r.details ? `, ${r.details}` : ''}`);
  return r;
}
