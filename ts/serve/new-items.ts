// Owns items the serving model was not trained on, made recommendable in seconds without a
// retrain:
//
// - An item with events from users the model has factors for gets an item vector by fold-in
//   against the user factors: the engine's fold-in solver with the users as the "other side"
//   (the item-side twin of user fold-in; the same per-(user, item) values as user fold-in: the
//   latest rating, else the sum of the implicit weights). Events of users the model does not know
//   do not count (they have no factors yet).
// - An item with a catalogue record (categories) but no such events is cold-started: its vector
//   is the mean of the factors of the model's items sharing one of its categories.
// - Mixing rule, documented in the README: each requested user's list (precomputed: their stored
//   factors; fold-in: their vector folded in from their items) is re-scored against the new
//   items — a new item enters the list where its score u·v places it, when it beats the list's last
//   score or the list is shorter than its depth; the list keeps its depth. Never for a user who
//   interacted with the item, never while the catalogue hides it.
// - Similar items: new items are candidates for every item, and have similar items of their own.
//
// Vectors are computed off the request: an accepted event schedules the work on the next turn
// (setImmediate), batched over every item touched meanwhile; a new model re-folds every new item it
// does not know. The events are kept in memory (this replica's; other replicas learn an item from
// the events they receive, or from the next training).

import { loadEngine } from '../engine/index.js';
import type { FoldIn } from '../engine/types.js';
import { itemState } from '../events/catalogue.js';
import { checkStoredEvent } from '../events/stored-check.js';
import type { TrackedEvent } from '../events/types.js';
import { foldInParams } from '../model/demo-payload.js';
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
  foldIn: FoldIn | null | undefined;
  items: Map<string, NewItem>;
  /** The items' vectors and unit vectors, packed (what requests score against). */
  vectors: NewItemMatrix;
  units: NewItemMatrix;
}

/** Most new items kept (the oldest stop being tracked beyond it). */
const MAX_NEW_ITEMS = 10_000;

export class NewItems {
  /** itemId → userId → {rating or summed implicit value}. */
  private readonly events = new Map<string, Map<string, { rating?: number; implicit: number }>>();
  /** eventIds already counted (a resent event counts once). */
  private readonly counted = new Set<string>();
  private readonly states = new WeakMap<ServingModel, ModelState>();
  private readonly pending = new Set<string>();
  private scheduled = false;
  private model: ServingModel | null = null;

  constructor(
    private readonly live: LiveCatalogue | undefined,
    private readonly log: Logger,
  ) {}

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
    return this.events.get(itemId)?.has(userId) ?? false;
  }

  /** The model that serves from now on: every new item it does not know is folded in again. */
  serve(model: ServingModel): void {
    this.model = model;
    const rank = model.prepared.rank;
    if (!this.states.has(model)) this.states.set(model, { foldIn: undefined, items: new Map(), vectors: new NewItemMatrix(rank), units: new NewItemMatrix(rank) });
    for (const id of this.events.keys()) this.pending.add(id);
    if (this.live) for (const r of this.live.all()) if (!r.deleted && r.categories?.length) this.pending.add(r.itemId);
    this.schedule();
  }

  /** Accepted events: those on items the model does not know are kept, and their items folded in on the next turn. */
  observe(events: readonly TrackedEvent[]): void {
    const m = this.model;
    if (!m) return;
    for (const e of events) {
      if (m.catalog.ids.rowOf(e.itemId) >= 0 || checkStoredEvent(e) !== null || this.counted.has(e.eventId)) continue;
      this.counted.add(e.eventId);
      let users = this.events.get(e.itemId);
      if (!users) {
        if (this.events.size >= MAX_NEW_ITEMS) {
          this.events.delete(this.events.keys().next().value!);
          this.counted.clear(); // bounded with the items: a resend of an old event may count again
        }
        this.events.set(e.itemId, (users = new Map()));
      }
      const v = users.get(e.userId) ?? { implicit: 0 };
      if (e.type === 'rating' || e.type === 'dislike') v.rating = e.value;
      else v.implicit += e.value;
      users.set(e.userId, v);
      this.pending.add(e.itemId);
    }
    this.schedule();
  }

  /** A catalogue record changed: an item the model does not know may be cold-started from its categories. */
  recordChanged(itemId: string): void {
    if (this.model && this.model.catalog.ids.rowOf(itemId) < 0) {
      this.pending.add(itemId);
      this.schedule();
    }
  }

  /** Folds in what is pending now (tests and the scheduled turn). */
  flush(): void {
    this.scheduled = false;
    const m = this.model;
    if (!m) return;
    const state = this.states.get(m)!;
    for (const itemId of this.pending) {
      try {
        const vector = this.fromEvents(m, state, itemId) ?? this.fromCategories(m, itemId);
        if (!vector) continue;
        const row = m.catalog.addExtra(itemId, this.live?.get(itemId)?.title ?? null, this.live?.get(itemId)?.categories ?? null);
        m.catalog.setBlocked(row, !this.servable(itemId));
        const norm = Math.hypot(...vector.vector);
        const unit = vector.vector.map((x) => (norm > 0 ? x / norm : 0));
        state.items.set(itemId, { row, itemId, vector: vector.vector, unit, from: vector.from });
        state.vectors.set(row, vector.vector);
        state.units.set(row, unit);
      } catch (e) {
        this.log.warn({ err: e, itemId }, 'could not fold in a new item');
      }
    }
    this.pending.clear();
  }

  private schedule(): void {
    if (this.scheduled || this.pending.size === 0) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Fold-in against the user factors of the item's users the model knows, or null. */
  private fromEvents(m: ServingModel, state: ModelState, itemId: string): { vector: Float32Array; from: 'events' } | null {
    const users = this.events.get(itemId);
    if (!users) return null;
    const rows: [number, number][] = [];
    for (const [userId, v] of users) {
      const row = m.history.rowOf(userId);
      if (row >= 0) rows.push([row, v.rating ?? v.implicit]);
    }
    if (rows.length === 0 || !rows.some(([, v]) => v > 0)) return null;
    if (state.foldIn === undefined) {
      const p = m.prepared;
      try {
        state.foldIn = loadEngine().createFoldIn({ rank: p.rank, itemFactors: p.userFactors }, foldInParams(p.manifest.params, p.rank));
      } catch (e) {
        this.log.warn({ err: e }, 'no engine for new items: they wait for the next training');
        state.foldIn = null;
      }
    }
    if (!state.foldIn) return null;
    rows.sort((a, b) => a[0] - b[0]);
    const vector = state.foldIn.userVector(
      Uint32Array.from(rows, (r) => r[0]),
      Float32Array.from(rows, (r) => r[1]),
    );
    return vector.some((x) => x !== 0) ? { vector, from: 'events' } : null;
  }

  /** The mean factors of the model's items sharing a category with the item's record, or null. */
  private fromCategories(m: ServingModel, itemId: string): { vector: Float32Array; from: 'categories' } | null {
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
    if (n === 0) return null;
    return { vector: sum.map((x) => x / n), from: 'categories' };
  }

  /** May the new item be recommended now (the catalogue does not hide it)? */
  servable(itemId: string): boolean {
    const r = this.live?.get(itemId);
    return !r || itemState(r, Date.now()) === null;
  }
}

const EMPTY: ReadonlyMap<string, NewItem> = new Map();
