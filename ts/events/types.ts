// Owns the event model and the `EventStore` interface every backend implements (SQLite, ./sqlite.ts;
// a Cosmos DB container partitioned by userId, ./cosmos.ts): idempotent batch appends by eventId,
// a user's events, erasure of a user's events (remembered), and a scan of everything for training.

export const EVENT_TYPES = ['rating', 'click', 'view', 'purchase', 'like'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A validated event, ready to store. */
export interface TrackedEvent {
  eventId: string;
  userId: string;
  itemId: string;
  type: EventType;
  /** The interaction's strength: the rating for "rating", else the type's weight × (value ?? 1). */
  value: number;
  /** When it happened, ms since the epoch (the client's, or the time it was received). */
  timestamp: number;
  /** When the server received it, ms since the epoch. */
  receivedAt: number;
}

export interface AppendResult {
  /** Events stored now. */
  accepted: number;
  /** Events whose eventId was already stored (acknowledged again, stored once). */
  duplicates: number;
}

export interface EventStore {
  readonly kind: string;
  /** Stores the batch atomically and durably (all or nothing) before resolving. */
  append(events: readonly TrackedEvent[]): Promise<AppendResult>;
  /** The user's events, oldest first. */
  forUser(userId: string): Promise<TrackedEvent[]>;
  /** Erases the user's events and remembers the user as erased; resolves with how many were removed. */
  deleteUser(userId: string): Promise<number>;
  /** Users erased with deleteUser → when (ms since the epoch, the latest erasure). */
  erased(): Promise<Map<string, number>>;
  /** Every stored event, grouped by user (userId order), each user's oldest first (training). */
  all(): AsyncIterable<TrackedEvent>;
  close(): Promise<void>;
}
