// Owns choosing and configuring the store from the environment (or flags that override it):
// which kind serves (embedded, redis, cosmos), how to reach it, and the in-process cache in front
// of a remote store; turns that into a StoreFactory for startServer({ createStore }).
//
//   RECS_STORE                 embedded | redis | cosmos (default embedded)
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

import { CacheStats } from './cache-stats.js';
import { CachedStore, type CacheOptions } from './cached.js';
import { createCosmosClient, type CosmosConnection } from './cosmos-client.js';
import { CosmosStore } from './cosmos.js';
import { IdIndex } from './embedded-ids.js';
import { EmbeddedStore } from './embedded.js';
import { RedisStore } from './redis.js';
import type { StoreFactory, StoreSource } from './factory.js';
import type { RecommendationStore } from './types.js';

export const STORE_KINDS = ['embedded', 'redis', 'cosmos'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface StoreConfig {
  kind: StoreKind;
  timeoutMs: number;
  cache: CacheOptions | null;
  redis: { url: string; prefix: string };
  cosmos: CosmosConnection;
}

export class StoreConfigError extends Error {
  override name = 'StoreConfigError';
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number | undefined): number | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new StoreConfigError(`${name} must be a non-negative number, got "${v}"`);
  return n;
}

/** Reads the configuration from `env`; `overrides` (from flags) win. */
export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Pick<StoreConfig, 'kind'>> & { redisUrl?: string; cosmosEndpoint?: string } = {}): StoreConfig {
  const kind = overrides.kind ?? ((env['RECS_STORE'] || 'embedded') as StoreKind);
  if (!STORE_KINDS.includes(kind)) throw new StoreConfigError(`RECS_STORE must be one of ${STORE_KINDS.join(', ')}; got "${kind}"`);
  const key = env['RECS_COSMOS_KEY'] || undefined;
  const auth = env['RECS_COSMOS_AUTH'] || (key ? 'key' : 'entra');
  if (auth !== 'key' && auth !== 'entra') throw new StoreConfigError(`RECS_COSMOS_AUTH must be key or entra; got "${auth}"`);
  const endpoint = overrides.cosmosEndpoint ?? env['RECS_COSMOS_ENDPOINT'] ?? '';
  if (kind === 'cosmos' && !endpoint) throw new StoreConfigError('RECS_COSMOS_ENDPOINT is required for the cosmos store');
  if (kind === 'cosmos' && auth === 'key' && !key) throw new StoreConfigError('RECS_COSMOS_AUTH=key needs RECS_COSMOS_KEY');
  const entries = num(env, 'RECS_STORE_CACHE_ENTRIES', 100_000)!;
  const bytes = num(env, 'RECS_STORE_CACHE_BYTES', 256 * 2 ** 20)!;
  const ttlMs = num(env, 'RECS_STORE_CACHE_TTL_MS', undefined);
  const throughput = num(env, 'RECS_COSMOS_THROUGHPUT', undefined);
  return {
    kind,
    timeoutMs: num(env, 'RECS_STORE_TIMEOUT_MS', 250)!,
    cache: entries > 0 && bytes > 0 ? { maxEntries: Math.floor(entries), maxBytes: Math.floor(bytes), ...(ttlMs !== undefined && { ttlMs }) } : null,
    redis: { url: overrides.redisUrl ?? env['RECS_REDIS_URL'] ?? 'redis://127.0.0.1:6379', prefix: env['RECS_REDIS_PREFIX'] || 'recs' },
    cosmos: {
      endpoint,
      auth,
      ...(key && { key }),
      database: env['RECS_COSMOS_DATABASE'] || 'recs',
      container: env['RECS_COSMOS_CONTAINER'] || 'user-recs',
      partitionKey: env['RECS_COSMOS_PARTITION_KEY'] || '/id',
      ...(throughput !== undefined && { throughput }),
    },
  };
}

/** A StoreFactory for startServer({ createStore }): one store per loaded model version. */
export function storeFactory(cfg: StoreConfig, extra: Partial<CosmosConnection> = {}): StoreFactory {
  if (cfg.kind === 'embedded') return (p) => new EmbeddedStore(p.table);
  let cosmosClient: ReturnType<typeof createCosmosClient> | null = null; // shared by the versions' stores
  const remote = (p: StoreSource): RecommendationStore => {
    const users = new IdIndex(p.table.users);
    const userIdAt = (row: number) => (Number.isInteger(row) && row >= 0 && row < users.size ? users.idAt(row) : undefined);
    const base = { modelVersion: p.manifest.version, depth: p.table.depth, userIdAt, timeoutMs: cfg.timeoutMs };
    if (cfg.kind === 'redis') return new RedisStore({ ...base, url: cfg.redis.url, prefix: cfg.redis.prefix });
    const conn = { ...cfg.cosmos, ...extra };
    cosmosClient ??= createCosmosClient(conn);
    const items = new IdIndex(p.items);
    const container = cosmosClient.database(conn.database).container(conn.container);
    return new CosmosStore({ ...base, container, itemRow: (id) => items.rowOf(id), ...(conn.partitionKey && { partitionKey: conn.partitionKey }) });
  };
  // one set of counters for the caches of every version this factory makes (/metrics)
  const stats = cfg.cache ? new CacheStats(cfg.kind, cfg.cache.maxEntries ?? 100_000, cfg.cache.maxBytes ?? 256 * 2 ** 20) : null;
  return (p) => {
    const s = remote(p);
    return cfg.cache ? new CachedStore(s, { ...cfg.cache, stats: stats! }) : s;
  };
}
