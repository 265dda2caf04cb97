// Owns the event model and the `EventStore` interface every backend implements (SQLite now, a
// Cosmos DB container partitioned by userId later): idempotent batch appends by eventId, a user's
// events, and erasure of a user's events.

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
  /** Erases the user's events; resolves with how many were removed. */
  deleteUser(userId: string): Promise<number>;
  close(): Promise<void>;
}
