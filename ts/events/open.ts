// Owns choosing and opening the event store, in one place for `serve` (POST /v1/events, fold-in,
// erasure), `train` and `retrain` (events merged into the training data); the back ends are
// listed in ./registry.ts and implemented under ./backends/:
//
//   RECS_EVENTS_STORE             sqlite (default: one machine) | cosmos (many writers: replicas, jobs)
//   (sqlite) the file the command names (--events-db, RECS_EVENTS_DB, default <models-dir>/../events.sqlite)
//            (serve writes through a writer thread: group commit, ./sqlite-offthread.ts)
//   (cosmos) RECS_COSMOS_ENDPOINT, RECS_COSMOS_AUTH, RECS_COSMOS_KEY, RECS_COSMOS_DATABASE and
//            RECS_COSMOS_THROUGHPUT as for the recommendation store (ts/store/config.ts), and
//   RECS_EVENTS_COSMOS_CONTAINER  the events container (default events), created when missing,
//                                 partitioned by /userId

import type { Agent } from 'node:https';
import { StoreConfigError } from '../store/backend.js';
import { DEFAULT_EVENT_STORE_KIND, eventStoreBackend, eventStoreBackendOf, eventStoreKinds, isEventStoreKind, type EventStoreConfig, type EventStoreKind } from './registry.js';
import type { EventStore } from './types.js';

export type { EventStoreConfig, EventStoreKind } from './registry.js';

/** Every event-store kind (the registry's), the default first. */
export const EVENT_STORE_KINDS: readonly EventStoreKind[] = eventStoreKinds();

/** The kind RECS_EVENTS_STORE names (default sqlite). */
export function eventStoreKindFromEnv(env: NodeJS.ProcessEnv): EventStoreKind {
  const kind = env['RECS_EVENTS_STORE'] || DEFAULT_EVENT_STORE_KIND;
  if (!isEventStoreKind(kind)) throw new StoreConfigError(`RECS_EVENTS_STORE must be one of ${EVENT_STORE_KINDS.join(', ')}; got "${kind}"`);
  return kind;
}

/** The event store configured in `env`; `sqlitePath` is the SQLite file when that is the kind. */
export function eventStoreConfigFromEnv(env: NodeJS.ProcessEnv, sqlitePath: string): EventStoreConfig {
  return eventStoreBackendOf(eventStoreKindFromEnv(env)).config(env, sqlitePath);
}

/**
 * Opens the configured store (for Cosmos DB: the container, created when missing). `writer`
 * 'thread' (the server) group-commits SQLite writes on a writer thread; 'inline' (a one-off job
 * such as training's merge, which only reads) writes on the calling thread and starts no thread.
 */
export function openEventStore(cfg: EventStoreConfig, extra: { agent?: Agent } = {}, writer: 'thread' | 'inline' = 'thread'): Promise<EventStore> {
  return eventStoreBackend(cfg).open(cfg, extra, writer);
}

/** Where the store is, for messages and the manifest: the SQLite path, or cosmos <endpoint> <database>/<container>. */
export function describeEventStore(cfg: EventStoreConfig): string {
  return eventStoreBackend(cfg).describe(cfg);
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
