// Owns the item catalogue's record (what PUT/PATCH/DELETE /v1/items/{id} and `recs items import`
// store in the event store beside the events) and the rules every store and replica applies to it:
// the last change wins (by `updatedAt`, the server's clock when the change was made), a deleted item
// keeps its record (hidden; a later PUT brings it back), and an item is servable when it is not
// deleted, `available` and launched (`launchAt` absent or past).

/** An attribute value: a string, a finite number or a boolean. */
export type AttributeValue = string | number | boolean;

export interface ItemRecord {
  itemId: string;
  title?: string;
  /** Categories (genres), in the client's order. */
  categories?: string[];
  /** Arbitrary attributes by name (names: a letter or _, then letters, digits, _; see ATTRIBUTE_NAME). */
  attributes?: Record<string, AttributeValue>;
  /** False: out of stock, withdrawn — never recommended while false. */
  available: boolean;
  /** Not recommended before this time (ms since the epoch), when set. */
  launchAt?: number;
  /** DELETE /v1/items/{id}: hidden everywhere until a PUT brings it back. */
  deleted: boolean;
  /** When the record last changed (ms since the epoch, server clock): the last change wins. */
  updatedAt: number;
}

/** Why an item is not recommended now, or null when it is. */
export type ItemState = 'deleted' | 'unavailable' | 'not_launched' | null;

export function itemState(r: ItemRecord, now: number): ItemState {
  if (r.deleted) return 'deleted';
  if (!r.available) return 'unavailable';
  if (r.launchAt !== undefined && r.launchAt > now) return 'not_launched';
  return null;
}

/** Should `incoming` replace `stored` (last change wins; a tie goes to the incoming one, so a resend is idempotent)? */
export function newerItem(incoming: ItemRecord, stored: ItemRecord | undefined): boolean {
  return stored === undefined || incoming.updatedAt >= stored.updatedAt;
}

/** The newest record of each item in `items` (a batch naming an item twice stores its last change). */
export function newestPerItem(items: readonly ItemRecord[]): ItemRecord[] {
  const latest = new Map<string, ItemRecord>();
  for (const r of items) if (newerItem(r, latest.get(r.itemId))) latest.set(r.itemId, r);
  return [...latest.values()];
}

/** The record as JSON for storage (the same fields, undefined ones left out). */
export function itemJson(r: ItemRecord): string {
  return JSON.stringify(r);
}

/** A record read back from storage. */
export function itemFromJson(text: string): ItemRecord {
  return JSON.parse(text) as ItemRecord;
}
