// Owns the events package's public surface: the store interface, the SQLite and Cosmos DB stores, validation
// and fold-in of a user's events.

export type * from './types.js';
export { EVENT_TYPES } from './types.js';
export { SqliteEventStore } from './sqlite.js';
export { CosmosEventStore, type CosmosEventStoreOptions } from './cosmos.js';
export { describeEventStore, EVENT_STORE_KINDS, eventStoreConfigFromEnv, eventStoreKindFromEnv, openEventStore, withEventStore, type EventStoreConfig, type EventStoreKind } from './open.js';
export { EVENT_STORE_BACKENDS, eventStoreKinds } from './registry.js';
export type { EventStoreBackend } from './backend.js';
export { eventDocId, PARTITION_KEY as EVENTS_PARTITION_KEY } from './cosmos-docs.js';
export { DEFAULT_VALUE_LIMITS, DEFAULT_WEIGHTS, MAX_BATCH, validateEvents, type EventError, type EventWeights, type ValueLimits } from './validate.js';
export { checkStoredEvent, StoredRowSkips, STORED_VALUE_LIMIT, type StoredRowProblem } from './stored-check.js';
export { foldInUser, interactions, type FoldInResult } from './foldin.js';
