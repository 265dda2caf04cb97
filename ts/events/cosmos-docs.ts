// Owns the layout of the Cosmos DB event container (partitioned by /userId): one document per
// event, `id` derived from the eventId (so a retry is a 409 on create), and one marker document
// per erased user in that user's partition. Cosmos DB ids may not hold '/', '\', '?' or '#' and
// are at most 255 characters, while eventIds are any string up to 256: an eventId is stored as
// `e:` + itself with those characters (and '%') percent-encoded, or `h:` + its SHA-256 when that is
// too long. Marker ids (`erased`) can never equal an event's. An item record is a document `item`
// in a partition of its own, `\u0001item:` + the itemId (an impression, one per recommendationId and
// position, is a document `i:…` in its user's partition): user ids never hold control characters
// (the API refuses them), so no user's partition can be an item's, and items spread over partitions.

import { createHash } from 'node:crypto';
import type { TrackedEvent } from './types.js';
import type { ItemRecord } from './catalogue.js';
import type { Impression } from './impressions.js';

export const PARTITION_KEY = '/userId';
export const ERASED_ID = 'erased';
const MAX_ID = 255;

export interface EventDoc extends TrackedEvent {
  id: string;
  kind: 'event';
}

export interface ErasedDoc {
  id: typeof ERASED_ID;
  kind: 'erased';
  userId: string;
  erasedAt: number;
}

/** The document id of an event: injective over eventIds (up to a SHA-256 collision for very long ones). */
export function eventDocId(eventId: string): string {
  const encoded = 'e:' + eventId.replace(/[%/\\?#]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
  return encoded.length <= MAX_ID ? encoded : 'h:' + createHash('sha256').update(eventId, 'utf8').digest('hex');
}

export const toDoc = (e: TrackedEvent): EventDoc => ({
  id: eventDocId(e.eventId),
  kind: 'event',
  eventId: e.eventId,
  userId: e.userId,
  itemId: e.itemId,
  type: e.type,
  value: e.value,
  timestamp: e.timestamp,
  receivedAt: e.receivedAt,
  ...(e.recommendationId !== undefined && { recommendationId: e.recommendationId }),
  ...(e.position !== undefined && { position: e.position }),
});

export const fromDoc = (d: EventDoc): TrackedEvent => ({
  eventId: d.eventId,
  userId: d.userId,
  itemId: d.itemId,
  type: d.type,
  value: d.value,
  timestamp: d.timestamp,
  receivedAt: d.receivedAt,
  ...(d.recommendationId !== undefined && d.recommendationId !== null && { recommendationId: d.recommendationId }),
  ...(d.position !== undefined && d.position !== null && { position: d.position }),
});

/** An impression: a document in its user's partition, id `i:` + the encoded recommendationId + `:` + the position. */
export interface ImpressionDoc extends Impression {
  id: string;
  kind: 'impression';
}

export const toImpressionDoc = (i: Impression): ImpressionDoc => ({
  id: `i:${eventDocId(i.recommendationId).slice(2)}:${i.position}`,
  kind: 'impression',
  recommendationId: i.recommendationId,
  position: i.position,
  userId: i.userId,
  itemId: i.itemId,
  shownAt: i.shownAt,
  receivedAt: i.receivedAt,
});

/** The stores' order of one user's events: timestamp, then receipt, then eventId. */
export function byTime(a: TrackedEvent, b: TrackedEvent): number {
  return a.timestamp - b.timestamp || a.receivedAt - b.receivedAt || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

export const ITEM_ID = 'item';
/** The partition of an item's record (the value of the partition key field, userId). */
export const itemPartition = (itemId: string): string => '\u0001item:' + itemId;

export interface ItemDoc {
  id: typeof ITEM_ID;
  kind: 'item';
  /** The partition key: itemPartition(itemId). */
  userId: string;
  updatedAt: number;
  item: ItemRecord;
}

export const toItemDoc = (r: ItemRecord): ItemDoc => ({ id: ITEM_ID, kind: 'item', userId: itemPartition(r.itemId), updatedAt: r.updatedAt, item: r });
