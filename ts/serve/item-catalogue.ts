// Owns the server's copy of the item catalogue (PUT/PATCH/DELETE /v1/items/{id}, `recs items
// import`; records in the event store, ../events/catalogue.ts) and what it does to answers: the
// serving model's Catalog blocks the rows of items that are deleted, unavailable or not launched
// yet, and every answer (lists, fold-in lists, the popularity fallback, similar items) skips
// blocked rows. That happens at the serving layer, so it holds for every recommendation store.
//
// Replication: all records are read before the first model serves (so a restart hides what was
// hidden); a change made here applies at once; every `syncMs` the records changed since the latest
// change seen (less a minute of margin for other replicas' clocks, as erasures are) are read again,
// so a change made by another replica or an import applies within seconds. The same tick unblocks
// items whose launch time has come. The last change of an item wins (by its updatedAt).

import { itemState, newerItem, type ItemRecord, type ItemState } from '../events/catalogue.js';
import type { EventStore } from '../events/types.js';
import type { Catalog } from './catalog.js';
import { SYNC_MARGIN_MS } from './erasure.js';

export class LiveCatalogue {
  private readonly records = new Map<string, ItemRecord>();
  /** Items whose launch time is still to come (unblocked by the tick that finds it past). */
  private readonly launching = new Set<string>();
  /** The latest updatedAt seen (-Infinity: none). */
  private latest = -Infinity;
  private loaded = false;
  /** Counts changes applied (filters compiled against an older generation are compiled again). */
  generation = 0;
  private names: { generation: number; set: Set<string> } | null = null;
  /** The catalog of the model serving now (its rows are kept in step with the records). */
  private catalog: Catalog | null = null;

  constructor(
    private readonly events: EventStore,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.records.size;
  }

  /** The item's record (deleted items too), as this server knows it. */
  get(itemId: string): ItemRecord | undefined {
    return this.records.get(itemId);
  }

  /** Called after each record taken in (e.g. new items cold-started from their categories). */
  onChange: ((r: ItemRecord) => void) | null = null;

  /** Every record known. */
  all(): IterableIterator<ItemRecord> {
    return this.records.values();
  }

  /** Why the item is not recommended now, or null (also for an item without a record). */
  stateOf(itemId: string): ItemState {
    const r = this.records.get(itemId);
    return r ? itemState(r, this.now()) : null;
  }

  /** Every attribute name some record has (what filters may refer to). */
  attributeNames(): ReadonlySet<string> {
    if (this.names?.generation !== this.generation) {
      const set = new Set<string>();
      for (const r of this.records.values()) for (const k of Object.keys(r.attributes ?? {})) set.add(k);
      this.names = { generation: this.generation, set };
    }
    return this.names.set;
  }

  /** Reads every record (before the first model serves). */
  async load(): Promise<void> {
    for (const r of await this.events.items()) this.learn(r);
    this.loaded = true;
  }

  /** Reads the records changed since the latest change seen (less a margin); resolves with how many changed here. */
  async sync(): Promise<number> {
    if (!this.loaded) {
      await this.load();
      return this.records.size;
    }
    const since = Number.isFinite(this.latest) ? this.latest - SYNC_MARGIN_MS : undefined;
    let changed = 0;
    for (const r of await this.events.items(since)) if (this.learn(r)) changed++;
    this.launchDue();
    return changed;
  }

  /** Takes a record in (a change made here, or read back); false when a newer one is known. */
  learn(r: ItemRecord): boolean {
    if (r.updatedAt > this.latest) this.latest = r.updatedAt;
    const known = this.records.get(r.itemId);
    if (known && (!newerItem(r, known) || JSON.stringify(known) === JSON.stringify(r))) return false;
    this.records.set(r.itemId, r);
    this.generation++;
    if (r.launchAt !== undefined && r.launchAt > this.now() && !r.deleted) this.launching.add(r.itemId);
    else this.launching.delete(r.itemId);
    if (this.catalog) this.block(this.catalog, r);
    this.onChange?.(r);
    return true;
  }

  /** Makes `catalog` (a model about to serve) block what the records say, and keeps it in step from now on. */
  serve(catalog: Catalog): void {
    this.blockIn(catalog);
    this.catalog = catalog;
  }

  /** Blocks the hidden items of the records known now in `catalog` (an experiment's variant; later changes reach the serving catalog only). */
  blockIn(catalog: Catalog): void {
    for (const r of this.records.values()) this.block(catalog, r);
  }

  /** Unblocks the items whose launch time has come. */
  launchDue(): void {
    const now = this.now();
    for (const id of this.launching) {
      const r = this.records.get(id)!;
      if (r.launchAt === undefined || r.launchAt <= now) {
        this.launching.delete(id);
        this.generation++;
        if (this.catalog) this.block(this.catalog, r);
      }
    }
  }

  private block(catalog: Catalog, r: ItemRecord): void {
    const row = catalog.rowOf(r.itemId);
    if (row >= 0) catalog.setBlocked(row, itemState(r, this.now()) !== null);
  }
}
