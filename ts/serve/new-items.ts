// Owns items the serving model was not trained on, made recommendable in seconds without a
// retrain, as the request thread sees them:
//
// - An item with events from users the model has factors for gets a vector by fold-in against the
//   user factors, computed off the request thread (./item-foldin-runner.ts: a worker that also
//   reads the events every other replica sharing the event store stored, so every replica learns
//   the item, not only the one that received its events; ./item-foldin-compute.ts says how).
//   Erased users' events stop counting: their items are folded in again without them.
// - An item with a catalogue record (categories) but no such events is cold-started here: its
//   vector is the mean of the factors of the model's items sharing one of its categories (a pass
//   over the model's items per item, in slices of a few ms between which requests are served).
// - The vectors are kept packed per model (./new-items-matrix.ts): a request scores its user
//   against them in one pass (./new-items-mix.ts has the mixing rule), and never recommends an
//   item to a user who interacted with it, or while the catalogue hides it (its row is blocked).
// - Similar items: new items are candidates for every item, and have similar items of their own.
//
// A new model re-folds every new item it does not know; updates computed for an older model are
// dropped.

import { itemState } from '../events/catalogue.js';
import type { EventStore, TrackedEvent } from '../events/types.js';
import { foldInParams } from '../model/demo-payload.js';
import type { ItemFoldInModel, ItemUpdate } from './item-foldin-compute.js';
import { ItemFoldInRunner, type ItemFoldInOptions } from './item-foldin-runner.js';
import type { LiveCatalogue } from './item-catalogue.js';
import type { Logger } from './logger.js';
import { NewItemMatrix } from './new-items-matrix.js';
import type { ServingModel } from './serving-model.js';

/** One new item's vector in one model. */
export interface NewItem {
  row: number;
  itemId: string;
  vector: Float32Array;
  unit: Float32Array;
  /** 'events' (fold-in against user factors) or 'categories' (cold start). */
  from: 'events' | 'categories';
}

interface ModelState {
  items: Map<string, NewItem>;
  /** The items' vectors and unit vectors, packed (what requests score against). */
  vectors: NewItemMatrix;
  units: NewItemMatrix;
}

/** Most time a turn spends cold-starting items from their categories (one pass over the model's items each), ms. */
const COLD_SLICE_MS = 5;

export type NewItemsSettings = Pick<ItemFoldInOptions, 'syncMs' | 'marginMs' | 'mode' | 'workerUrl' | 'feedback' | 'nice'>;

export class NewItems {
  /** itemId → the users who interacted with it (never recommended it). */
  private readonly users = new Map<string, ReadonlySet<string>>();
  private readonly states = new WeakMap<ServingModel, ModelState>();
  private readonly coldPending = new Set<string>();
  private coldScheduled = false;
  private model: ServingModel | null = null;
  private readonly runner: ItemFoldInRunner;

  constructor(
    private readonly live: LiveCatalogue | undefined,
    private readonly log: Logger,
    events: EventStore,
    settings: NewItemsSettings = {},
  ) {
    this.runner = new ItemFoldInRunner({ events, log, ...settings, onUpdates: (version, updates) => this.apply(version, updates) });
  }

  /** The new items of `model` (empty when none). */
  of(model: ServingModel): ReadonlyMap<string, NewItem> {
    return this.states.get(model)?.items ?? EMPTY;
  }

  /** The new items of `model` packed: vectors (lists) and unit vectors (similar items); null when none. */
  packed(model: ServingModel): { vectors: NewItemMatrix; units: NewItemMatrix } | null {
    const st = this.states.get(model);
    return st && st.items.size > 0 ? st : null;
  }

  /** Did `userId` interact with the new item? */
  touched(itemId: string, userId: string): boolean {
    return this.users.get(itemId)?.has(userId) ?? false;
  }

  /** The model that serves from now on: every new item it does not know is folded in again. */
  serve(model: ServingModel): void {
    this.model = model;
    const rank = model.prepared.rank;
    if (!this.states.has(model)) this.states.set(model, { items: new Map(), vectors: new NewItemMatrix(rank), units: new NewItemMatrix(rank) });
    if (rank > 0 && model.prepared.parts.includes('userFactors')) this.runner.setModel(itemFoldInModel(model));
    if (this.live) for (const r of this.live.all()) if (!r.deleted && r.categories?.length) this.coldPending.add(r.itemId);
    this.scheduleCold();
  }

  /** Accepted events (those on items the model does not know are folded in, off this thread). */
  observe(events: readonly TrackedEvent[]): void {
    const ids = this.model?.catalog.ids;
    if (!ids) return;
    const news = events.filter((e) => ids.rowOf(e.itemId) < 0); // only these cross to the worker
    if (news.length > 0) this.runner.observe(news);
  }

  /** Users erased (here or by another replica) and when (ms): their earlier events stop teaching new items. */
  erased(users: [string, number][]): void {
    this.runner.erase(users);
  }

  /** A catalogue record changed: an item the model does not know may be cold-started from its categories. */
  recordChanged(itemId: string): void {
    if (this.model && this.model.catalog.ids.rowOf(itemId) < 0) {
      this.coldPending.add(itemId);
      this.scheduleCold();
    }
  }

  async close(): Promise<void> {
    await this.runner.close();
  }

  /** May the new item be recommended now (the catalogue does not hide it)? */
  servable(itemId: string): boolean {
    const r = this.live?.get(itemId);
    return !r || itemState(r, Date.now()) === null;
  }

  /** Vectors computed off the thread, for the model of `version`. */
  private apply(version: string, updates: ItemUpdate[]): void {
    const m = this.model;
    if (!m || m.version !== version) return;
    for (const u of updates) {
      if (u.users.length > 0) this.users.set(u.itemId, new Set(u.users));
      else this.users.delete(u.itemId);
      if (u.vector) this.place(m, u.itemId, u.vector, 'events');
      else this.coldStart(m, u.itemId);
    }
  }

  /** Cold-starts the pending items on later turns, in slices of at most COLD_SLICE_MS between which requests are served. */
  private scheduleCold(): void {
    if (this.coldScheduled || this.coldPending.size === 0) return;
    this.coldScheduled = true;
    setImmediate(() => {
      this.coldScheduled = false;
      const m = this.model;
      if (!m) return;
      const until = performance.now() + COLD_SLICE_MS;
      for (const id of this.coldPending) {
        this.coldPending.delete(id);
        if (this.states.get(m)!.items.get(id)?.from !== 'events') this.coldStart(m, id);
        if (performance.now() > until) break;
      }
      this.scheduleCold();
    });
  }

  /** The item from its categories, or no vector at all. */
  private coldStart(m: ServingModel, itemId: string): void {
    try {
      const v = this.fromCategories(m, itemId);
      if (v) this.place(m, itemId, v, 'categories');
      else this.unplace(m, itemId);
    } catch (e) {
      this.log.warn({ err: e, itemId }, 'could not cold-start a new item');
    }
  }

  private place(m: ServingModel, itemId: string, vector: Float32Array, from: NewItem['from']): void {
    const state = this.states.get(m)!;
    const r = this.live?.get(itemId);
    const row = m.catalog.addExtra(itemId, r?.title ?? null, r?.categories ?? null);
    m.catalog.setBlocked(row, !this.servable(itemId));
    let sq = 0;
    for (const x of vector) sq += x * x;
    const norm = Math.sqrt(sq);
    const unit = vector.map((x) => (norm > 0 ? x / norm : 0));
    state.items.set(itemId, { row, itemId, vector, unit, from });
    state.vectors.set(row, vector);
    state.units.set(row, unit);
  }

  private unplace(m: ServingModel, itemId: string): void {
    const state = this.states.get(m)!;
    const n = state.items.get(itemId);
    if (!n) return;
    state.items.delete(itemId);
    state.vectors.remove(n.row);
    state.units.remove(n.row);
  }

  /** The mean factors of the model's items sharing a category with the item's record, or null. */
  private fromCategories(m: ServingModel, itemId: string): Float32Array | null {
    if (m.prepared.rank === 0 || !m.prepared.parts.includes('itemFactors')) return null;
    const r = this.live?.get(itemId);
    if (!r || r.deleted || !r.categories?.length) return null;
    const wanted = new Set(r.categories.map((c) => c.toLowerCase()));
    const { rank, itemFactors, itemCount } = m.prepared;
    const sum = new Float32Array(rank);
    let n = 0;
    for (let i = 0; i < itemCount; i++) {
      const cats = this.live?.get(m.catalog.ids.idAt(i))?.categories ?? m.catalog.genresOf(i);
      if (!cats.some((c) => wanted.has(c.toLowerCase()))) continue;
      for (let j = 0; j < rank; j++) sum[j]! += itemFactors[i * rank + j]!;
      n++;
    }
    return n === 0 ? null : sum.map((x) => x / n);
  }
}

const EMPTY: ReadonlyMap<string, NewItem> = new Map();

/** The item fold-in view of a serving model (the user factors shared with the worker). */
function itemFoldInModel(m: ServingModel): ItemFoldInModel {
  const p = m.prepared;
  return {
    version: m.version,
    rank: p.rank,
    userFactors: p.userFactors,
    users: p.table.users,
    items: p.items,
    params: foldInParams(p.manifest.params, p.rank),
    createdAt: Date.parse(p.manifest.createdAt),
  };
}
