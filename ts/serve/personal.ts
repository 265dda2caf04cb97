// Owns fold-in personalisation while serving. The request thread only queues and looks up: after
// a user's events are acknowledged the user joins a bounded queue (a burst coalesces into one
// entry); batches of queued users (many per hand-off) go to the fold-in runner (./foldin-runner.ts:
// a worker thread that reads their stored events and folds them in against the model's item
// factors, handed over when the model loads), and the lists come back ready to serve into a
// bounded in-memory overlay (./foldin-overlay.ts) that the recommendations route consults before
// the store. When the queue is full the events are still stored and acknowledged; the user is
// folded in on their next GET. An evicted user is folded in again on demand the same way. A user
// new to the event store (the append that stored their events held all of them) has those events
// carried with the hand-off (./foldin-carry.ts) instead of read back; any later event of theirs
// before the hand-off drops that, and the worker reads the store as for everyone else.
//
// Erasure removes the user's events (the store remembers the erasure when there was anything to
// erase), their queued fold-in, their overlay entry (a fold-in in flight for them is discarded when
// it returns), their lists in the serving store for every model version (cache included), and
// masks their row in the serving model (./erasure.ts masks it again in later-loaded models made
// before the erasure). After a model change, a user's list from the old version is not served; the
// first GET that finds it queues a refold against the new model (that GET answers from the store).
// While an experiment runs, a user is folded in against their variant's model (a batch holds the
// users of one model; switching models hands the worker the other model's factors).

import type { EventStore, TrackedEvent } from '../events/types.js';
import { foldInParams } from '../model/demo-payload.js';
import { IdIndex } from '../store/embedded-ids.js';
import { StoreError } from '../store/types.js';
import type { ErasedUsers } from './erasure.js';
import { HttpError } from './errors.js';
import type { FoldInModelData } from './foldin-compute.js';
import { DEFAULT_OVERLAY_BOUNDS, FoldInOverlayCache, type FoldInList, type OverlayBounds } from './foldin-overlay.js';
import { DEFAULT_FEEDBACK, type FeedbackSettings } from '../events/feedback.js';
import { FoldInRunner, type FoldInMode } from './foldin-runner.js';
import { unpackBatch } from './foldin-pack.js';
import { inStoreOrder, packCarried } from './foldin-carry.js';
import type { Logger } from './logger.js';
import type { FoldInQueueStats, Metrics } from './metrics.js';
import type { ModelManager } from './model-manager.js';
import type { ServingModel } from './serving-model.js';
import { forEachLimit } from '../util/pool.js';
import { Lru } from '../util/lru.js';

export type { FoldInList } from './foldin-overlay.js';

/** What the recommendations route needs: the user's fold-in list for this model version, if any. */
export interface FoldInOverlay {
  peek(userId: string, modelVersion: string): FoldInList | null;
  /** Item rows of this model in the user's events acknowledged since their last fold-in landed (never recommended meanwhile), or null. */
  pendingSeen?(userId: string, modelVersion: string): Uint32Array | null;
}

/** What an erasure removed, per kind. */
export interface Erased {
  /** Stored events. */
  events: number;
  /** Fold-in lists in this process's overlay (0 or 1). */
  foldinResults: number;
  /** Precomputed lists in the serving store: every version's in Redis or Cosmos DB; the in-process table's row (embedded). */
  storedLists: number;
  /** Entries of the in-process cache in front of a remote store. */
  cachedLists: number;
  /** The user's row in the serving model (its precomputed list; the server holds no user factors), masked by this erasure (0 or 1). */
  modelRows: number;
}

export interface FoldInSettings {
  /** Bounds of the overlay (default 100,000 lists, 128 MiB). */
  bounds?: Partial<OverlayBounds>;
  /** Most users waiting for a fold-in (default 100,000). */
  maxQueue?: number;
  /** Most users per hand-off to the worker (default 256; a batch takes what is queued, up to this). */
  batchSize?: number;
  /** Most batches handed over and not back yet (default 2: the worker has the next batch while this thread applies the last). */
  maxInFlight?: number;
  mode?: FoldInMode;
  /** The compiled fold-in worker script (tests). */
  workerUrl?: URL;
  /** The fold-in thread's nice value (Linux; default 5: when cores are scarce, serving goes first (CFS gives the thread about a third of what a nice-0 thread gets); 0: equal priority). */
  nice?: number;
}

export interface PersonalizerOptions extends FoldInSettings {
  /** How events become strengths (default DEFAULT_FEEDBACK). */
  feedback?: FeedbackSettings;
  models: ModelManager;
  events: EventStore;
  erased: ErasedUsers;
  metrics: Metrics;
  log: Logger;
  depth: number;
  /** The model a user is served by when it is not the active one (an experiment's variant: ./experiments.ts), else null. */
  modelFor?: (userId: string) => ServingModel | null;
}

/** The fold-in thread's default nice value: on busy cores about a third of a nice-0 thread's share, and the whole of a core when serving is idle. */
export const DEFAULT_FOLDIN_NICE = 5;

/** A user asked for again on demand is not asked for again within this time (ms) unless new events arrive. */
const DEMAND_QUIET_MS = 30_000;
const DEMAND_MEMORY = 10_000;

/** A user's acknowledged items waiting for their fold-in: rows of this model version, sorted. */
interface PendingSeen {
  version: string;
  rows: Uint32Array;
}

/** Most users with pending seen items remembered (the oldest forgotten first). */
const PENDING_MAX = 100_000;

/** One batch handed to the runner: its users, those erased meanwhile (their results dropped), and when it is done. */
interface InFlightBatch {
  users: ReadonlySet<string>;
  erased: Set<string>;
  /** Each user's pending seen items when the batch left. */
  pending: ReadonlyMap<string, PendingSeen | undefined>;
  done: Promise<void>;
  /** The model it folds in against. */
  model: ServingModel;
}

export class Personalizer implements FoldInOverlay {
  private readonly overlay: FoldInOverlayCache;
  /** Users waiting → the earliest acknowledgement their fold-in covers (NaN: a refold, not timed). */
  private readonly queue = new Lru<string, number>();
  /** Users with events acknowledged and not folded in yet → their items' rows (sorted), most recent last (bounded). */
  private readonly pending = new Lru<string, PendingSeen>();
  /** Batches handed to the runner and not back yet (at most maxInFlight), oldest first. */
  private readonly batches = new Set<InFlightBatch>();
  /** Queued users new to the event store → the events that hold all of their stored history (carried with the hand-off). */
  private readonly carried = new Map<string, TrackedEvent[]>();
  /** Users asked for on demand recently (bounded), so a user with nothing to fold in is not asked for on every GET. */
  private readonly demanded = new Lru<string, number>();
  private readonly runner: FoldInRunner;
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly maxInFlight: number;
  private scheduled = false;
  private readonly stats = { deferred: 0, batches: 0 };

  constructor(private readonly o: PersonalizerOptions) {
    this.overlay = new FoldInOverlayCache({ ...DEFAULT_OVERLAY_BOUNDS, ...o.bounds });
    this.maxQueue = o.maxQueue ?? 100_000;
    this.batchSize = o.batchSize ?? 256;
    this.maxInFlight = o.maxInFlight ?? 2;
    const path = (o.events as { path?: unknown }).path;
    const sqlitePath = o.events.kind === 'sqlite' && typeof path === 'string' && path !== ':memory:' ? path : null;
    this.runner = new FoldInRunner({
      depth: o.depth,
      feedback: o.feedback ?? DEFAULT_FEEDBACK,
      sqlitePath,
      nice: o.nice ?? DEFAULT_FOLDIN_NICE,
      log: o.log,
      ...(o.mode && { mode: o.mode }),
      ...(o.workerUrl && { workerUrl: o.workerUrl }),
    });
    o.metrics.foldInQueue = () => this.queueStats();
  }

  /** Hands a newly loaded model to the fold-in worker (its FoldIn is built before the first event needs it). */
  modelLoaded(model: ServingModel): void {
    this.runner.prepare(foldInModel(model));
  }

  peek(userId: string, modelVersion: string): FoldInList | null {
    const l = this.overlay.get(userId);
    if (l) {
      if (l.modelVersion === modelVersion) return l;
      this.demand(userId);
      return null;
    }
    if (this.overlay.mayHaveEvicted(userId)) this.demand(userId);
    return null;
  }

  get size(): number {
    return this.overlay.size;
  }

  pendingSeen(userId: string, modelVersion: string): Uint32Array | null {
    const p = this.pending.peek(userId);
    return p && p.version === modelVersion ? p.rows : null;
  }

  /**
   * Events just acknowledged (stored): their items are the users' pending seen items until their
   * fold-in lands (so a GET meanwhile never recommends what the user just interacted with), and
   * the users are queued for a fold-in. `newUsers`: indices of events whose user had nothing
   * stored before (../events/types.ts AppendNewUsers; only for a batch stored whole, no
   * duplicate): such a user's events here are all of theirs, and travel with the hand-off.
   */
  acknowledged(events: readonly TrackedEvent[], newUsers?: readonly number[]): void {
    const model = this.o.models.current;
    const users = new Set<string>();
    if (model) {
      const rows = new Map<string, number[]>();
      for (const e of events) {
        users.add(e.userId);
        const row = model.catalog.rowOf(e.itemId);
        if (row < 0) continue;
        const l = rows.get(e.userId);
        if (l) l.push(row);
        else rows.set(e.userId, [row]);
      }
      for (const [u, r] of rows) {
        const before = this.pending.peek(u);
        const kept = before?.version === model.version;
        // one new row and nothing pending (a new user's event, the common case): no Set, no sort
        const sorted = !kept && r.length === 1 ? Uint32Array.of(r[0]!) : Uint32Array.from(new Set(kept ? [...before.rows, ...r] : r)).sort();
        this.pending.set(u, { version: model.version, rows: sorted }); // most recent last
        if (this.pending.size > PENDING_MAX) this.pending.shift();
      }
    } else for (const e of events) users.add(e.userId);
    const fresh = newUsers && newUsers.length > 0 ? new Set(newUsers.map((i) => events[i]!.userId).filter((u) => !this.queue.has(u))) : null;
    this.touched(users);
    if (fresh) this.carry(events, fresh);
  }

  /** Keeps the events of these users (new to the store, just queued) for their hand-off. */
  private carry(events: readonly TrackedEvent[], users: ReadonlySet<string>): void {
    for (const e of events) {
      if (!users.has(e.userId) || !this.queue.has(e.userId)) continue;
      const l = this.carried.get(e.userId);
      if (l) l.push(e);
      else this.carried.set(e.userId, [e]);
    }
  }

  queueStats(): FoldInQueueStats {
    const b = this.overlay.bounds;
    return {
      queued: this.queue.size,
      inFlight: this.inFlightCount(),
      deferred: this.stats.deferred,
      batches: this.stats.batches,
      entries: this.overlay.size,
      bytes: this.overlay.bytes,
      maxEntries: b.maxEntries,
      maxBytes: b.maxBytes,
      evictions: this.overlay.evictions,
    };
  }

  /** Events of these users were acknowledged at `ackAt` (performance.now(); NaN: a refold, not timed as event-to-visible). */
  touched(userIds: Iterable<string>, ackAt = performance.now()): void {
    for (const u of userIds) {
      this.carried.delete(u); // newer events, or a refold: read from the store
      if (!Number.isNaN(ackAt)) this.demanded.delete(u);
      const q = this.queue.peek(u);
      if (q !== undefined) {
        if (Number.isNaN(q)) this.queue.replace(u, ackAt); // keeps its place in the queue
        continue;
      }
      if (this.queue.size >= this.maxQueue) {
        this.stats.deferred++;
        this.overlay.remember(u); // its next GET asks again
        continue;
      }
      this.queue.set(u, ackAt);
    }
    this.schedule();
  }

  /**
   * Erases the user: events, queued fold-in, fold-in result, stored and cached lists, model row.
   * Rejects with a 503 HttpError when the store could not erase (the events are gone and the
   * erasure is remembered by then; repeating the call completes it).
   */
  async erase(userId: string): Promise<Erased> {
    const model = this.o.models.current?.acquire() ?? null;
    try {
      const inModel = model !== null && new IdIndex(model.prepared.table.users).rowOf(userId) >= 0;
      const before = this.o.erased.erasedAt(userId);
      const at = Date.now();
      if (inModel) this.o.erased.record(userId, at); // before anything: a model loading now masks the user
      this.queue.delete(userId);
      this.carried.delete(userId);
      this.pending.delete(userId);
      this.dropInFlight(userId);
      const foldinResults = this.overlay.delete(userId) ? 1 : 0;
      const events = await this.o.events.deleteUser(userId, { remember: inModel });
      if (events > 0) this.o.erased.record(userId, at);
      if (!model) return { events, foldinResults, storedLists: 0, cachedLists: 0, modelRows: 0 };
      const maskedAlready = before !== undefined && !(before < Date.parse(model.prepared.manifest.createdAt));
      const modelRows = inModel && !maskedAlready && model.store.erase !== undefined ? 1 : 0;
      try {
        const lists = (await model.store.erase?.(userId)) ?? { stored: 0, cached: 0 };
        return { events, foldinResults, storedLists: lists.stored, cachedLists: lists.cached, modelRows };
      } catch (e) {
        this.o.log.error({ err: e, userId }, 'erasure incomplete: the store could not erase the user');
        const why = e instanceof StoreError ? e.message : String(e);
        throw new HttpError(503, 'erasure_incomplete', `the user's events (${events}) were erased, but not their stored recommendations (${why}); retry the DELETE`, { 'retry-after': '5' });
      }
    } finally {
      model?.release();
    }
  }

  /**
   * Applies erasures made elsewhere (another replica sharing the event store): the serving store
   * masks the users (its cache entries dropped too) and their overlay entries are recomputed from
   * the events left (those sent after the erasure), or dropped when none are.
   */
  erasedElsewhere(userIds: readonly string[]): void {
    this.o.models.current?.store.mask?.(userIds);
    for (const u of userIds) this.dropInFlight(u);
    this.touched(userIds, NaN);
  }

  /** Resolves once every queued fold-in has run (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.batches.size > 0 || this.queue.size > 0) {
      if (!this.o.models.current) return;
      this.schedule();
      await Promise.race([...[...this.batches].map((b) => b.done), new Promise((r) => setTimeout(r, 5))]);
    }
  }

  /** Lets queued fold-ins finish (for at most `ms`: the events are stored either way), then stops the worker. */
  async close(ms = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
    await this.runner.close();
  }

  /** Asks for a fold-in of the user on demand (evicted, deferred or stale), at most once per quiet period. */
  private demand(userId: string): void {
    if (this.queue.has(userId) || this.isInFlight(userId)) return;
    const last = this.demanded.peek(userId);
    const now = performance.now();
    if (last !== undefined && now - last < DEMAND_QUIET_MS) return;
    this.demanded.set(userId, now); // most recent last
    if (this.demanded.size > DEMAND_MEMORY) this.demanded.shift();
    this.touched([userId], NaN);
  }

  private isInFlight(userId: string): boolean {
    for (const b of this.batches) if (b.users.has(userId)) return true;
    return false;
  }

  private inFlightCount(): number {
    let n = 0;
    for (const b of this.batches) n += b.users.size;
    return n;
  }

  /** The user's fold-ins in flight are discarded when they return (an erasure). */
  private dropInFlight(userId: string): void {
    for (const b of this.batches) if (b.users.has(userId)) b.erased.add(userId);
  }

  /**
   * Hands queued users to the runner once this turn's acknowledgements are in: up to batchSize
   * users per batch (as many as are queued: a deep queue makes big batches, a shallow one small
   * and quick ones) and up to maxInFlight batches at once, so the worker has the next batch
   * while the serving thread applies the last one.
   */
  private schedule(): void {
    if (this.scheduled || this.queue.size === 0 || this.batches.size >= this.maxInFlight || !this.o.models.current) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.batches.size < this.maxInFlight && this.queue.size > 0) if (!this.launch()) return;
    });
  }

  private launch(): boolean {
    const current = this.o.models.current;
    // one batch, one model: the first queued user's (an experiment's variant, or the active one);
    // batches of another model wait until those in flight are done (the runner holds one model)
    const modelOf = (u: string) => this.o.modelFor?.(u) ?? current;
    const first = this.queue.oldest();
    const chosen = first ? modelOf(first[0]) : null;
    if (!chosen) return false;
    for (const b of this.batches) if (b.model !== chosen) return false;
    const model = chosen.acquire();
    const users: string[] = [];
    const ackAt: number[] = [];
    let looked = 0;
    for (const [u, at] of this.queue.entries()) {
      if (++looked > 8 * this.batchSize) break;
      if (modelOf(u) !== model) continue;
      users.push(u);
      ackAt.push(at);
      if (users.length >= this.batchSize) break;
    }
    const carried = new Map<string, TrackedEvent[]>();
    for (const u of users) {
      this.queue.delete(u);
      const c = this.carried.get(u);
      if (c) carried.set(u, c);
      this.carried.delete(u);
    }
    const batch: InFlightBatch = { users: new Set(users), erased: new Set(), pending: new Map(users.map((u) => [u, this.pending.peek(u)])), done: Promise.resolve(), model };
    this.batches.add(batch);
    this.stats.batches++;
    batch.done = this.runBatch(model, batch, users, ackAt, carried);
    return true;
  }

  private async runBatch(model: ServingModel, batch: InFlightBatch, users: string[], ackAt: number[], carried: ReadonlyMap<string, TrackedEvent[]>): Promise<void> {
    try {
      const reads = this.runner.readsStore;
      const events = reads ? undefined : await this.readEvents(users, carried);
      const r = await this.runner.run(foldInModel(model), users, events, reads && carried.size > 0 ? packCarried(users, (u) => carried.get(u)) : undefined);
      const now = performance.now();
      let i = 0;
      for (const o of unpackBatch(r, users)) {
        const at = ackAt[i++]!;
        if (batch.erased.has(o.userId)) continue;
        // the events pending when the batch left are folded in now (later ones stay pending)
        const p = batch.pending.get(o.userId);
        if (p && this.pending.peek(o.userId) === p) this.pending.delete(o.userId);
        if (o.error !== undefined) {
          this.o.log.error({ userId: o.userId, err: o.error }, 'fold-in failed; the user keeps their previous recommendations');
          continue;
        }
        if (!o.list) {
          this.overlay.delete(o.userId);
          continue;
        }
        const { items, scores, seen, vector } = o.list;
        this.overlay.set(o.userId, vector ? { modelVersion: r.version, items, scores, seen, vector } : { modelVersion: r.version, items, scores, seen });
        this.o.metrics.observeFoldIn(o.seconds);
        if (!Number.isNaN(at)) this.o.metrics.observeEventVisible((now - at) / 1000);
      }
    } catch (e) {
      this.o.log.error({ err: e, users: users.length }, 'a fold-in batch failed; its users are queued again');
      users.forEach((u, i) => !this.queue.has(u) && !batch.erased.has(u) && this.queue.set(u, ackAt[i]!));
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      model.release();
      this.batches.delete(batch);
      this.schedule();
    }
  }

  /** The users' events, read through the store's async API (stores the worker cannot read itself), but for those carried. */
  private async readEvents(users: string[], carried: ReadonlyMap<string, TrackedEvent[]>): Promise<TrackedEvent[][]> {
    const out: TrackedEvent[][] = new Array(users.length);
    await forEachLimit(users, 16, async (user, i) => {
      const c = carried.get(user);
      if (c) return void (out[i] = inStoreOrder(c) as TrackedEvent[]);
      out[i] = await this.o.events.forUser(user).catch((e: unknown) => {
        this.o.log.error({ err: e, userId: user }, "could not read the user's events for fold-in");
        return [];
      });
    });
    return out;
  }
}

/** The fold-in view of a serving model (cached on it: one object per model). */
const views = new WeakMap<ServingModel, FoldInModelData>();
function foldInModel(m: ServingModel): FoldInModelData {
  let v = views.get(m);
  if (!v) {
    const p = m.prepared;
    v = { version: m.version, rank: p.rank, itemFactors: p.itemFactors, itemWeights: p.itemWeights, params: foldInParams(p.manifest.params, p.rank), items: p.items };
    views.set(m, v);
  }
  return v;
}
