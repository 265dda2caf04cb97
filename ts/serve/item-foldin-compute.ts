// Owns the item side of fold-in, wherever it runs (the item fold-in worker, ./item-foldin-worker.ts,
// or the calling thread when running from TypeScript sources): the events on items the serving
// model does not know, kept per item by eventId (so an event read again — sent here, then read
// back from the shared store — counts once), and each such item's vector folded in against the
// user factors (the engine's fold-in solver with the users as the "other side": the twin of user
// fold-in, the same per-(user, item) value: the latest rating or dislike, else the sum of the
// implicit values). Events of users the model does not know do not count (no factors yet), nor do
// those an erasure removed (received before it), nor replays (dated before it). The engine's FoldIn over the user factors is
// built here, off the request thread, once per model.

import { loadEngine } from '../engine/index.js';
import type { AlsParams, FoldIn } from '../engine/types.js';
import { DEFAULT_FEEDBACK, strength, type FeedbackSettings } from '../events/feedback.js';
import { checkStoredEvent } from '../events/stored-check.js';
import type { TrackedEvent } from '../events/types.js';
import { IdIndex, type IdIndexData } from '../store/embedded-ids.js';
import { Lru } from '../util/lru.js';

/** What item fold-in needs of a model (the user factors shared, not copied, when they are in a SharedArrayBuffer). */
export interface ItemFoldInModel {
  version: string;
  rank: number;
  userFactors: Float32Array;
  users: IdIndexData;
  items: IdIndexData;
  params: Partial<AlsParams>;
  /** When the model was made (ms): events received before it are in it, when it was trained from this store. */
  createdAt: number;
}

/** A new item's state after a change: its vector (null: none from events) and the users who interacted with it. */
export interface ItemUpdate {
  itemId: string;
  vector: Float32Array | null;
  users: string[];
}

type Kept = Pick<TrackedEvent, 'userId' | 'type' | 'value' | 'timestamp' | 'receivedAt'>;

/** Most new items tracked (the one first seen longest ago is dropped beyond it). */
export const MAX_NEW_ITEMS = 10_000;
/** Most events kept per new item (later ones are not counted: the vector is settled long before). */
export const MAX_EVENTS_PER_ITEM = 10_000;

export class ItemFoldInComputer {
  /** `feedback`: the weights and negative threshold user fold-in and training apply (no decay here: a new item's events are recent). */
  constructor(private readonly feedback: FeedbackSettings = DEFAULT_FEEDBACK) {}

  /** itemId → eventId → event. */
  private readonly events = new Lru<string, Map<string, Kept>>(); // oldest new item first
  /** userId → the new items they have events on. */
  private readonly byUser = new Map<string, Set<string>>();
  /** Users erased while this process runs → when (their earlier events never count again). */
  private readonly erasedAt = new Map<string, number>();
  private readonly pending = new Set<string>();
  private model: { data: ItemFoldInModel; users: IdIndex; items: IdIndex; foldIn: FoldIn | null | undefined } | null = null;
  /** Why the engine could not be used (logged once by the caller), or null. */
  engineError: string | null = null;

  get version(): string | null {
    return this.model?.data.version ?? null;
  }

  /** The items of the model (events on them are left out), or null before the first model. */
  get items(): IdIndex | null {
    return this.model?.items ?? null;
  }

  /** The model new items are folded in against from now on: every tracked item is folded in again. */
  setModel(m: ItemFoldInModel): void {
    if (this.model?.data.version === m.version) return;
    this.model = { data: m, users: new IdIndex(m.users), items: new IdIndex(m.items), foldIn: undefined };
    for (const [id] of this.events.entries()) this.pending.add(id);
  }

  /** Takes events in (any: those on items the model knows, malformed, repeated or replayed ones are skipped). */
  observe(events: readonly TrackedEvent[]): void {
    const items = this.model?.items;
    for (const e of events) {
      if ((items && items.rowOf(e.itemId) >= 0) || checkStoredEvent(e) !== null) continue;
      const erased = this.erasedAt.get(e.userId);
      if (erased !== undefined && (e.timestamp < erased || e.receivedAt <= erased)) continue; // a replay, or read before the erasure removed it
      let kept = this.events.peek(e.itemId);
      if (!kept) {
        if (this.events.size >= MAX_NEW_ITEMS) this.forget(this.events.oldest()![0]);
        this.events.set(e.itemId, (kept = new Map()));
      }
      if (kept.has(e.eventId) || kept.size >= MAX_EVENTS_PER_ITEM) continue;
      kept.set(e.eventId, { userId: e.userId, type: e.type, value: e.value, timestamp: e.timestamp, receivedAt: e.receivedAt });
      let mine = this.byUser.get(e.userId);
      if (!mine) this.byUser.set(e.userId, (mine = new Set()));
      mine.add(e.itemId);
      this.pending.add(e.itemId);
    }
  }

  /** Forgets the users' events received before their erasure (`at`, ms: the store removed them); their items are folded in again without them. */
  erase(users: readonly (readonly [string, number])[]): void {
    for (const [userId, at] of users) {
      this.erasedAt.set(userId, Math.max(at, this.erasedAt.get(userId) ?? -Infinity));
      for (const itemId of this.byUser.get(userId) ?? []) {
        const kept = this.events.peek(itemId);
        if (!kept) continue;
        for (const [eventId, e] of kept) if (e.userId === userId && e.receivedAt <= at) kept.delete(eventId);
        this.pending.add(itemId);
      }
      this.byUser.delete(userId);
    }
  }

  /** Folds in every item changed since the last flush; one update per item. */
  flush(): ItemUpdate[] {
    const m = this.model;
    if (!m || this.pending.size === 0) return [];
    const out: ItemUpdate[] = [];
    for (const itemId of this.pending) {
      if (m.items.rowOf(itemId) >= 0) {
        this.forget(itemId); // the model knows it now
        continue;
      }
      const kept = this.events.peek(itemId);
      const values = kept ? valuesPerUser(kept, this.feedback) : new Map<string, number>();
      if (kept && kept.size === 0) this.events.delete(itemId);
      out.push({ itemId, vector: this.vectorOf(values), users: [...values.keys()] });
    }
    this.pending.clear();
    return out;
  }

  /** The item's vector from its users' values (those the model knows), or null. */
  private vectorOf(values: Map<string, number>): Float32Array | null {
    const m = this.model!;
    const rows: [number, number][] = [];
    for (const [userId, v] of values) {
      const row = m.users.rowOf(userId);
      if (row >= 0) rows.push([row, v]);
    }
    if (!rows.some(([, v]) => v > 0)) return null;
    if (m.foldIn === undefined) {
      try {
        m.foldIn = loadEngine().createFoldIn({ rank: m.data.rank, itemFactors: m.data.userFactors }, m.data.params);
      } catch (e) {
        this.engineError = e instanceof Error ? e.message : String(e);
        m.foldIn = null;
      }
    }
    if (!m.foldIn) return null;
    rows.sort((a, b) => a[0] - b[0]);
    const vector = m.foldIn.userVector(
      Uint32Array.from(rows, (r) => r[0]),
      Float32Array.from(rows, (r) => r[1]),
    );
    return vector.some((x) => x !== 0) ? vector : null;
  }

  private forget(itemId: string): void {
    for (const e of this.events.peek(itemId)?.values() ?? []) this.byUser.get(e.userId)?.delete(itemId);
    this.events.delete(itemId);
  }
}

/** Per user: the latest rating or dislike (by time), else the sum of the implicit values, each a strength (ts/events/feedback.ts). */
function valuesPerUser(kept: Map<string, Kept>, feedback: FeedbackSettings): Map<string, number> {
  const rated = new Map<string, { at: number; value: number }>();
  const implicit = new Map<string, number>();
  for (const e of kept.values()) {
    if (e.type === 'rating' || e.type === 'dislike') {
      const r = rated.get(e.userId);
      if (!r || e.timestamp >= r.at) rated.set(e.userId, { at: e.timestamp, value: strength(e.type, e.value, 1, feedback) });
    } else implicit.set(e.userId, (implicit.get(e.userId) ?? 0) + strength(e.type, e.value, 1, feedback));
  }
  const out = new Map<string, number>();
  for (const [u, v] of implicit) out.set(u, v);
  for (const [u, r] of rated) out.set(u, r.value);
  return out;
}
