// Owns the cache of finished answer bodies: a GET for a user with an in-process list answers
// with the body built for the same (query, user) before, its recommendationId and generatedAt
// rewritten in place (../recommend.ts, restamp). An entry holds for one model version's catalog
// at one catalogue generation (Catalog.generation moves whenever an item is blocked, unblocked or
// added) and one row of the store (an erased user has none), so a hidden item leaves every cached
// answer at once. The caller bypasses it for
// everything else an answer can depend on (../routes/recommendations.ts says what). Bounded in
// bytes: when full it starts over, so odd traffic cannot grow it.
//
// A body served from here is the entry's own buffer: valid until the same entry is served again,
// so it must be sent before anything else is answered (the GET route sends at once; the batch
// and POST routes never use the cache).

import type { Catalog } from './catalog.js';
import { restamp } from './recommend.js';

interface Entry {
  catalog: Catalog;
  generation: number;
  /** The store's row of the user's list (RecommendationStore.rowNow). */
  row: number;
  body: Buffer;
}

/** Bytes an entry costs beyond its body (the Map slot, the entry, the key). */
const ENTRY_OVERHEAD = 160;

export class AnswerCache {
  private byQuery = new Map<object, Map<string, Entry>>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  /** The cached body for (query, userId) under `catalog` now, from the list at `row`, restamped, or null. */
  get(query: object, userId: string, catalog: Catalog, row: number): Buffer | null {
    const e = this.byQuery.get(query)?.get(userId);
    if (e === undefined || e.catalog !== catalog || e.generation !== catalog.generation || e.row !== row) return null;
    return restamp(e.body);
  }

  /** Keeps a copy of `body`, the answer to (query, userId) under `catalog` now, from the list at `row`. */
  put(query: object, userId: string, catalog: Catalog, row: number, body: Uint8Array): void {
    const cost = body.byteLength + 2 * userId.length + ENTRY_OVERHEAD;
    if (cost > this.maxBytes) return;
    if (this.bytes + cost > this.maxBytes) {
      this.byQuery = new Map();
      this.bytes = 0;
    }
    let users = this.byQuery.get(query);
    if (users === undefined) this.byQuery.set(query, (users = new Map()));
    const old = users.get(userId);
    if (old !== undefined) this.bytes -= old.body.byteLength + 2 * userId.length + ENTRY_OVERHEAD;
    users.set(userId, { catalog, generation: catalog.generation, row, body: Buffer.from(body) });
    this.bytes += cost;
  }

  /** Bytes held (bodies and overhead). */
  get size(): number {
    return this.bytes;
  }
}
