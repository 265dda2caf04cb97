// Owns the Azure Cosmos DB back end: settings (RECS_COSMOS_* / --cosmos-endpoint), stores that
// point-read a version's documents (../cosmos.ts) through one client shared by the versions, and
// the versioned bulk load (../cosmos-load.ts). The same connection settings serve the Cosmos DB
// event store (ts/events).

import { StoreConfigError, usersPerSecond, type StoreBackend } from '../backend.js';
import { createCosmosClient, ensureContainer, type CosmosConnection } from '../cosmos-client.js';
import { CosmosLoadError, loadCosmos } from '../cosmos-load.js';
import { CosmosStore } from '../cosmos.js';
import { shardOutcome } from '../load-table.js';
import { IdIndex } from '../embedded-ids.js';

function nonNegative(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new StoreConfigError(`${name} must be a non-negative number, got "${v}"`);
  return n;
}

/** The Cosmos DB connection from RECS_COSMOS_*; `required`: refuse a missing endpoint or key. */
export function cosmosConnectionFromEnv(env: NodeJS.ProcessEnv, endpointFlag: string | undefined, required: boolean): CosmosConnection {
  const key = env['RECS_COSMOS_KEY'] || undefined;
  const auth = env['RECS_COSMOS_AUTH'] || (key ? 'key' : 'entra');
  if (auth !== 'key' && auth !== 'entra') throw new StoreConfigError(`RECS_COSMOS_AUTH must be key or entra; got "${auth}"`);
  const endpoint = endpointFlag ?? env['RECS_COSMOS_ENDPOINT'] ?? '';
  if (required && !endpoint) throw new StoreConfigError('RECS_COSMOS_ENDPOINT is required for the cosmos store');
  if (required && auth === 'key' && !key) throw new StoreConfigError('RECS_COSMOS_AUTH=key needs RECS_COSMOS_KEY');
  const throughput = nonNegative(env, 'RECS_COSMOS_THROUGHPUT');
  return {
    endpoint,
    auth,
    ...(key && { key }),
    database: env['RECS_COSMOS_DATABASE'] || 'recs',
    container: env['RECS_COSMOS_CONTAINER'] || 'user-recs',
    partitionKey: env['RECS_COSMOS_PARTITION_KEY'] || '/id',
    ...(throughput !== undefined && { throughput }),
  };
}

export const cosmosBackend: StoreBackend<CosmosConnection, 'cosmos'> = {
  kind: 'cosmos',
  summary: 'Azure Cosmos DB (NoSQL API): lists loaded by `recs load`, point reads from every replica and region',
  remote: true,
  loadDefaults: { batch: 500, concurrency: 2 },
  settings: (env, flags, chosen) => cosmosConnectionFromEnv(env, flags['cosmosEndpoint'], chosen),
  factory: (conn, common) => {
    let client: ReturnType<typeof createCosmosClient> | null = null; // shared by the versions' stores
    return (p) => {
      client ??= createCosmosClient(conn);
      const users = new IdIndex(p.table.users);
      const items = new IdIndex(p.items);
      const userIdAt = (row: number) => (Number.isInteger(row) && row >= 0 && row < users.size ? users.idAt(row) : undefined);
      const container = client.database(conn.database).container(conn.container);
      return new CosmosStore({
        modelVersion: p.manifest.version,
        depth: p.table.depth,
        userIdAt,
        timeoutMs: common.timeoutMs,
        container,
        itemRow: (id) => items.rowOf(id),
        ...(conn.partitionKey && { partitionKey: conn.partitionKey }),
      });
    };
  },
  async load(conn, table, o) {
    const client = createCosmosClient(conn);
    try {
      const container = await ensureContainer(client, conn);
      const r = await loadCosmos(container, table, {
        chunk: o.batch ?? 500,
        concurrency: o.concurrency ?? 2,
        keepOld: o.keepOld ?? 1,
        partitionKey: conn.partitionKey ?? '/id',
        ...(o.onProgress && { onProgress: (d: number, ru: number) => o.onProgress!(d, `${Math.round(ru)} RU`) }),
      }).catch((e: unknown) => {
        if (e instanceof CosmosLoadError) {
          const ids = `${e.failedIds.slice(0, 50).join(', ')}${e.failedIds.length > 50 ? ', …' : ''}`;
          throw new Error(`${e.message}; the active version is unchanged. Failed ids (${e.failedIds.length}): ${ids}`, { cause: e });
        }
        throw e;
      });
      const ru = Math.round(r.requestCharge);
      return {
        store: 'cosmos',
        version: table.version,
        users: r.users,
        seconds: r.seconds,
        usersPerSecond: usersPerSecond(r.users, r.seconds),
        details: `${ru} RU (${(r.requestCharge / Math.max(r.users, 1)).toFixed(1)} RU/user), ${r.retried} retried writes`,
        requestCharge: r.requestCharge,
        retried: r.retried,
        deletedVersions: r.deletedVersions,
        ...shardOutcome(table, r),
      };
    } finally {
      client.dispose();
    }
  },
};
