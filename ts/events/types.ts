// Owns the event model and the `EventStore` interface every backend implements (SQLite, ./sqlite.ts;
// a Cosmos DB container partitioned by userId, ./cosmos.ts): idempotent batch appends by eventId,
// a user's events, erasure of a user's events (remembered), a scan of everything for training, and
// the item catalogue's records (./catalogue.ts: the last change wins), and impressions
// (./impressions.ts: idempotent by recommendationId and position).

import type { ItemRecord } from './catalogue.js';
import type { Impression, ImpressionResult } from './impressions.js';

export const EVENT_TYPES = ['rating', 'click', 'view', 'purchase', 'like', 'dislike'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A validated event, ready to store. */
/** What fold-in and the stored-row check read of an event (the fold-in worker reads only these columns). */
export type FoldInEvent = Pick<TrackedEvent, 'eventId' | 'userId' | 'itemId' | 'type' | 'value' | 'timestamp'>;

export interface TrackedEvent {
  eventId: string;
  userId: string;
  itemId: string;
  type: EventType;
  /** The rating for "rating", else the event's multiplier (value ?? 1), negative for "dislike"; its strength (× the type's weight, decayed) is computed when read (./feedback.ts). */
  value: number;
  /** When it happened, ms since the epoch (the client's, or the time it was received). */
  timestamp: number;
  /** When the server received it, ms since the epoch. */
  receivedAt: number;
  /** The recommendation that led to it (a response's recommendationId), when the client says so. */
  recommendationId?: string;
  /** The item's position in that recommendation. */
  position?: number;
}

export interface AppendResult {
  /** Events stored now. */
  accepted: number;
  /** Events whose eventId was already stored with the same content (acknowledged again, stored once). */
  duplicates: number;
  /**
   * Events refused (present only when some were): an eventId already stored with different
   * content, or an event of an erased user dated before the erasure (a replay). The SQLite
   * store then stores nothing of the batch; Cosmos DB (no transaction across users) stores the rest.
   */
  conflicts?: AppendConflict[];
}

/** append()'s result, with which users are new to the store (./types.ts EventStore.appendTellingNew). */
export interface AppendNewUsers extends AppendResult {
  /**
   * Per user who had no event stored before this append (so the append holds all of their stored
   * events), the index in the batch of their first event. Empty when the batch had a conflict.
   */
  newUsers: number[];
}

export interface AppendConflict {
  /** Position in the batch. */
  index: number;
  eventId: string;
  reason: 'event_id_reused' | 'user_erased';
  message: string;
}

/** Same eventId, same event? A timestamp the server filled in (timestamp = receivedAt) matches any. */
export function sameEvent(stored: TrackedEvent, sent: TrackedEvent): boolean {
  return (
    stored.userId === sent.userId &&
    stored.itemId === sent.itemId &&
    stored.type === sent.type &&
    Math.fround(stored.value) === Math.fround(sent.value) &&
    (stored.timestamp === sent.timestamp || sent.timestamp === sent.receivedAt || stored.timestamp === stored.receivedAt)
  );
}

/** The conflict of `sent` (at `index`) with the event stored under its eventId. */
export function reusedIdConflict(index: number, sent: TrackedEvent, stored: TrackedEvent): AppendConflict {
  return {
    index,
    eventId: sent.eventId,
    reason: 'event_id_reused',
    message: `eventId "${sent.eventId}" is already stored for a different event (user ${JSON.stringify(stored.userId)}, item ${JSON.stringify(stored.itemId)}, ${stored.type} ${stored.value}); use a new eventId for a new event`,
  };
}

/** The conflict of `sent` (at `index`), an event of a user erased at `erasedAt`, dated before it. */
export function erasedConflict(index: number, sent: TrackedEvent, erasedAt: number): AppendConflict {
  return {
    index,
    eventId: sent.eventId,
    reason: 'user_erased',
    message: `user ${JSON.stringify(sent.userId)} was erased at ${new Date(erasedAt).toISOString()} and this event is dated ${new Date(sent.timestamp).toISOString()}, before that: a replay of erased data is refused`,
  };
}

export interface EventStore {
  readonly kind: string;
  /** Stores the batch atomically and durably (all or nothing) before resolving. */
  append(events: readonly TrackedEvent[]): Promise<AppendResult>;
  /**
   * append(), also telling which users had no event stored before (fold-in then takes their
   * events from the batch instead of reading them back). Stores that cannot tell cheaply leave it out.
   */
  appendTellingNew?(events: readonly TrackedEvent[]): Promise<AppendNewUsers>;
  /** The user's events, oldest first. */
  forUser(userId: string): Promise<TrackedEvent[]>;
  /**
   * Erases the user's events; resolves with how many were removed. The erasure is remembered
   * (training leaves the user's earlier data out, replays are refused) when events were removed or
   * `remember` is set (the user is in a model); erasing an unknown user records nothing.
   */
  deleteUser(userId: string, opts?: { remember?: boolean }): Promise<number>;
  /** Users erased with deleteUser → when (ms since the epoch, the latest erasure); only erasures at or after `since` when given. */
  erased(since?: number): Promise<Map<string, number>>;
  /** Every stored event, grouped by user (userId order), each user's oldest first (training). */
  all(): AsyncIterable<TrackedEvent>;
  /** Events received at or after `since` (ms since the epoch, the receiving server's clock), oldest first: replicas learn new items from each other's events. */
  received?(since: number): Promise<TrackedEvent[]>;
  /** Stores item records; one older (updatedAt) than the stored record of its item is ignored. Resolves with how many were stored. */
  putItems(items: readonly ItemRecord[]): Promise<number>;
  /** One item's record (deleted ones too), or undefined. */
  item(itemId: string): Promise<ItemRecord | undefined>;
  /** Item records changed at or after `since` (ms; all when not given), oldest change first. */
  items(since?: number): Promise<ItemRecord[]>;
  /** Stores impressions durably; one already stored (same recommendationId and position) is a duplicate. */
  appendImpressions(impressions: readonly Impression[]): Promise<ImpressionResult>;
  /** Impressions shown at or after `since` (ms; all when not given), oldest first. */
  impressions(since?: number): Promise<Impression[]>;
  close(): Promise<void>;
}
