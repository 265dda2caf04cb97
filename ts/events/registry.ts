// Owns the list of event-store back ends: one registration line each. RECS_EVENTS_STORE,
// `--events-store` and every message listing the kinds derive from it.

import type { EventStoreBackend } from './backend.js';
import { cosmosEvents } from './backends/cosmos.js';
import { sqliteEvents } from './backends/sqlite.js';

/** The back ends, the default (RECS_EVENTS_STORE unset) first. Add one: its files, then one line here. */
export const EVENT_STORE_BACKENDS = [sqliteEvents, cosmosEvents] as const;

type Backends = (typeof EVENT_STORE_BACKENDS)[number];
export type EventStoreKind = Backends['kind'];
/** One back end's configuration (a union over the registered back ends, told apart by `kind`). */
export type EventStoreConfig = Backends extends infer B ? (B extends EventStoreBackend<infer C, string> ? C : never) : never;

/** Every event-store kind, the default first (for choice lists and messages). */
export function eventStoreKinds(): EventStoreKind[] {
  return EVENT_STORE_BACKENDS.map((b) => b.kind);
}

export const DEFAULT_EVENT_STORE_KIND: EventStoreKind = EVENT_STORE_BACKENDS[0].kind;

export function isEventStoreKind(kind: string): kind is EventStoreKind {
  return EVENT_STORE_BACKENDS.some((b) => b.kind === kind);
}

/** The back end that opens `cfg`. */
export function eventStoreBackend<C extends EventStoreConfig>(cfg: C): EventStoreBackend<C, C['kind']> {
  return EVENT_STORE_BACKENDS.find((b) => b.kind === cfg.kind)! as unknown as EventStoreBackend<C, C['kind']>;
}

export function eventStoreBackendOf(kind: EventStoreKind): EventStoreBackend<EventStoreConfig, EventStoreKind> {
  return EVENT_STORE_BACKENDS.find((b) => b.kind === kind)! as unknown as EventStoreBackend<EventStoreConfig, EventStoreKind>;
}
