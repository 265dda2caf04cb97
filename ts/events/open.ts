// Owns choosing and opening the event store, in one place for `serve` (POST /v1/events, fold-in,
// erasure), `train` and `retrain` (events merged into the training data):
//
//   RECS_EVENTS_STORE             sqlite (default: one machine) | cosmos (many writers: replicas, jobs)
//   (sqlite) the file the command names (--events-db, RECS_EVENTS_DB, default <models-dir>/../events.sqlite)
//            (serve writes through a writer thread: group commit, ./sqlite-offthread.ts)
//   (cosmos) RECS_COSMOS_ENDPOINT, RECS_COSMOS_AUTH, RECS_COSMOS_KEY, RECS_COSMOS_DATABASE and
//            RECS_COSMOS_THROUGHPUT as for the recommendation store (ts/store/config.ts), and
//   RECS_EVENTS_COSMOS_CONTAINER  the events container (default events), created when missing,
//                                 partitioned by /userId

import type { Agent } from 'node:https';
import { CosmosEventStore } from './cosmos.js';
import { PARTITION_KEY } from './cosmos-docs.js';
import { OffThreadSqliteStore } from './sqlite-offthread.js';
import { SqliteEventStore } from './sqlite.js';
import type { EventStore } from './types.js';
import { createCosmosClient, ensureContainer, type CosmosConnection } from '../store/cosmos-client.js';
import { storeConfigFromEnv, StoreConfigError } from '../store/config.js';

export const EVENT_STORE_KINDS = ['sqlite', 'cosmos'] as const;
export type EventStoreKind = (typeof EVENT_STORE_KINDS)[number];

export type EventStoreConfig = { kind: 'sqlite'; path: string } | { kind: 'cosmos'; cosmos: CosmosConnection };

/** The kind RECS_EVENTS_STORE names (default sqlite). */
export function eventStoreKindFromEnv(env: NodeJS.ProcessEnv): EventStoreKind {
  const kind = (env['RECS_EVENTS_STORE'] || 'sqlite') as EventStoreKind;
  if (!EVENT_STORE_KINDS.includes(kind)) throw new StoreConfigError(`RECS_EVENTS_STORE must be one of ${EVENT_STORE_KINDS.join(', ')}; got "${kind}"`);
  return kind;
}

/** The event store configured in `env`; `sqlitePath` is the SQLite file when that is the kind. */
export function eventStoreConfigFromEnv(env: NodeJS.ProcessEnv, sqlitePath: string): EventStoreConfig {
  const kind = eventStoreKindFromEnv(env);
  if (kind === 'sqlite') return { kind, path: sqlitePath };
  const c = storeConfigFromEnv({ ...env, RECS_STORE: 'cosmos' }).cosmos; // validates endpoint and auth
  return { kind, cosmos: { ...c, container: env['RECS_EVENTS_COSMOS_CONTAINER'] || 'events', partitionKey: PARTITION_KEY } };
}

/**
 * Opens the configured store (for Cosmos DB: the container, created when missing). `writer`
 * 'thread' (the server) group-commits SQLite writes on a writer thread; 'inline' (a one-off job
 * such as training's merge, which only reads) writes on the calling thread and starts no thread.
 */
export async function openEventStore(cfg: EventStoreConfig, extra: { agent?: Agent } = {}, writer: 'thread' | 'inline' = 'thread'): Promise<EventStore> {
  if (cfg.kind === 'sqlite') return writer === 'thread' ? new OffThreadSqliteStore(cfg.path) : new SqliteEventStore(cfg.path);
  const conn: CosmosConnection = { ...cfg.cosmos, partitionKey: PARTITION_KEY, ...(extra.agent && { agent: extra.agent }) };
  const client = createCosmosClient(conn);
  try {
    const container = await ensureContainer(client, conn);
    const { resource } = await container.read();
    const paths = resource?.partitionKey?.paths ?? [];
    if (paths.length !== 1 || paths[0] !== PARTITION_KEY) throw new StoreConfigError(`cosmos event store: container ${conn.database}/${conn.container} is partitioned by ${paths.join(', ') || 'nothing'}, not ${PARTITION_KEY}`);
    return new CosmosEventStore({ container, onClose: () => client.dispose() });
  } catch (e) {
    client.dispose();
    throw e;
  }
}

/** Where the store is, for messages and the manifest: the SQLite path, or cosmos <endpoint> <database>/<container>. */
export function describeEventStore(cfg: EventStoreConfig): string {
  return cfg.kind === 'sqlite' ? cfg.path : `cosmos ${cfg.cosmos.endpoint} ${cfg.cosmos.database}/${cfg.cosmos.container}`;
}

/** Opens the store for a one-off job (no writer thread), runs `f` on it and closes it again. */
export async function withEventStore<T>(cfg: EventStoreConfig, f: (store: EventStore) => Promise<T>, extra: { agent?: Agent } = {}): Promise<T> {
  const store = await openEventStore(cfg, extra, 'inline');
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}
