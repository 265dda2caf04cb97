// Owns choosing and configuring the store from the environment (or flags that override it):
// which back end serves (./registry.ts lists them), its settings, and the in-process cache in front
// of a remote store; turns that into a StoreFactory for startServer({ createStore }) and bulk-loads
// a version into the configured back end. Every back end reads its own settings (./backends/*.ts).
//
//   RECS_STORE                 embedded | redis | cosmos (default embedded; the registry's kinds)
//   RECS_STORE_TIMEOUT_MS      default per-lookup timeout of a remote store (default 250; the server
//                              passes its own storeTimeoutMs per call, which wins)
//   RECS_STORE_CACHE_ENTRIES   in-process cache size in entries for redis/cosmos (default 100000; 0 = off)
//   RECS_STORE_CACHE_BYTES     in-process cache size in estimated bytes (default 268435456 = 256 MiB;
//                              0 = off); the least recently used entries go until under both bounds
//   RECS_STORE_CACHE_TTL_MS    cache entry lifetime (default: none; entries are per model version)
//   RECS_REDIS_URL             redis://[user:pass@]host:port[/db] or rediss:// (default redis://127.0.0.1:6379)
//   RECS_REDIS_PREFIX          key prefix (default recs)
//   RECS_COSMOS_ENDPOINT       https://<account>.documents.azure.com:443/
//   RECS_COSMOS_AUTH           key | entra (default key when RECS_COSMOS_KEY is set, else entra:
//                              DefaultAzureCredential — managed identity, AZURE_CLIENT_ID/…, az login)
//   RECS_COSMOS_KEY            the account key (auth key)
//   RECS_COSMOS_DATABASE       database (default recs)
//   RECS_COSMOS_CONTAINER      container (default user-recs)
//   RECS_COSMOS_PARTITION_KEY  partition key path (default /id)
//   RECS_COSMOS_THROUGHPUT     RU/s when the loader creates the container (default: none, serverless)

import { StoreConfigError, type BulkLoadOptions, type BulkLoadResult, type StoreCommon, type StoreFlags } from './backend.js';
import { CacheStats } from './cache-stats.js';
import { CachedStore, type CacheOptions } from './cached.js';
import type { StoreFactory } from './factory.js';
import type { LoadTable } from './load-table.js';
import { DEFAULT_STORE_KIND, isStoreKind, STORE_BACKENDS, storeBackend, storeKinds, type StoreKind, type StoreSettings } from './registry.js';

export { StoreConfigError } from './backend.js';
export type { StoreKind } from './registry.js';

/** Every store kind (the registry's), the default first. */
export const STORE_KINDS: readonly StoreKind[] = storeKinds();

export type StoreConfig = StoreCommon &
  StoreSettings & {
    kind: StoreKind;
    cache: CacheOptions | null;
  };

function num(env: NodeJS.ProcessEnv, name: string, fallback: number | undefined): number | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new StoreConfigError(`${name} must be a non-negative number, got "${v}"`);
  return n;
}

/** Reads the configuration from `env`; `overrides` (the kind, and flags such as redisUrl) win. */
export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: { kind?: string } & StoreFlags = {}): StoreConfig {
  const kind = overrides.kind ?? (env['RECS_STORE'] || DEFAULT_STORE_KIND);
  if (!isStoreKind(kind)) throw new StoreConfigError(`RECS_STORE must be one of ${STORE_KINDS.join(', ')}; got "${kind}"`);
  const entries = num(env, 'RECS_STORE_CACHE_ENTRIES', 100_000)!;
  const bytes = num(env, 'RECS_STORE_CACHE_BYTES', 256 * 2 ** 20)!;
  const ttlMs = num(env, 'RECS_STORE_CACHE_TTL_MS', undefined);
  const settings = Object.fromEntries(STORE_BACKENDS.map((b) => [b.kind, b.settings(env, overrides, b.kind === kind)])) as StoreSettings;
  return {
    kind,
    timeoutMs: num(env, 'RECS_STORE_TIMEOUT_MS', 250)!,
    cache: entries > 0 && bytes > 0 ? { maxEntries: Math.floor(entries), maxBytes: Math.floor(bytes), ...(ttlMs !== undefined && { ttlMs }) } : null,
    ...settings,
  };
}

/**
 * A StoreFactory for startServer({ createStore }): one store per loaded model version, from the
 * configured back end, behind the in-process cache when the back end is remote. `extra` is merged
 * into the back end's settings (tests pass a Cosmos DB https agent).
 */
export function storeFactory(cfg: StoreConfig, extra: Record<string, unknown> = {}): StoreFactory {
  const backend = storeBackend(cfg.kind);
  const make = backend.factory({ ...(cfg[cfg.kind] as object), ...extra }, cfg);
  if (!backend.remote || !cfg.cache) return make;
  // one set of counters for the caches of every version this factory makes (/metrics)
  const cache = cfg.cache;
  const stats = new CacheStats(cfg.kind, cache.maxEntries ?? 100_000, cache.maxBytes ?? 256 * 2 ** 20);
  return (p) => new CachedStore(make(p), { ...cache, stats });
}

/** Bulk-loads `table` into the configured back end (which must be one that loads: loadableStoreKinds()). */
export function bulkLoad(cfg: StoreConfig, table: LoadTable, o: BulkLoadOptions = {}): Promise<BulkLoadResult> {
  const backend = storeBackend(cfg.kind);
  if (!backend.load) throw new StoreConfigError(`the ${cfg.kind} store is not bulk-loaded (it serves from the model artifact)`);
  return backend.load(cfg[cfg.kind], table, o);
}

/** A bulk load's closing line: "loaded V into redis: N users in S s, R users/s[, details]; active version V[; deleted …]". */
export function describeBulkLoad(r: BulkLoadResult, sep = ' '): string {
  const details = r.details ? `, ${r.details}` : '';
  const deleted = r.deletedVersions.length ? `; deleted ${r.deletedVersions.join(', ')}` : '';
  const what = r.shard ? `shard ${r.shard.index} of ${r.shard.count} of ${r.version}` : r.version;
  const state = r.switched ? `active version ${r.version}${deleted}` : `active version unchanged until every shard is loaded (${r.shard?.progress ?? 'pending'})`;
  return `loaded${sep}${what} into ${r.store}: ${r.users} users in ${r.seconds.toFixed(1)} s, ${r.usersPerSecond} users/s${details}; ${state}`;
}
