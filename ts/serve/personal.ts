// Owns fold-in personalisation while serving: after a user's events are acknowledged, their
// vector is recomputed from all their stored events against the serving model's raw item factors
// (read from the artifact once per model version) and the top-k kept in an in-process overlay
// (userId → list) that the recommendations route consults before the store. Work for one user is
// serialised on a promise chain (bursts coalesce into one queued run) and never runs on a GET.
// Erasure goes through the same chain, so a fold-in in flight cannot bring a user back; it removes
// the user's events (the store remembers the erasure), their overlay entry, and their lists in the
// serving store for every model version (cache included), and masks their row in the serving model
// (./erasure.ts masks it again in every later-loaded model made before the erasure). After a
// model change, a user's list from the old version is not served; the first GET that finds it
// queues a refold against the new model (the GET itself answers from the store meanwhile).

import { loadEngine } from '../engine/index.js';
import type { Engine, FoldIn } from '../engine/types.js';
import { foldInUser } from '../events/foldin.js';
import type { EventStore } from '../events/types.js';
import { readArtifact } from '../model/artifact.js';
import { foldInParams } from '../model/demo-payload.js';
import { IdIndex } from '../store/embedded-ids.js';
import { StoreError } from '../store/types.js';
import type { ErasedUsers } from './erasure.js';
import { HttpError } from './errors.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { ModelManager } from './model-manager.js';
import type { ServingModel } from './serving-model.js';

export interface FoldInList {
  modelVersion: string;
  /** Item rows, best first. */
  items: Uint32Array;
  scores: Float32Array;
  /** The item rows the user interacted with through their events, sorted (`interactions()` in ../events/foldin.ts); never served to them. */
  seen: Uint32Array;
}

/** What the recommendations route needs: the user's fold-in list for this model version, if any. */
export interface FoldInOverlay {
  peek(userId: string, modelVersion: string): FoldInList | null;
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

export class Personalizer implements FoldInOverlay {
  private readonly overlay = new Map<string, FoldInList>();
  private readonly chains = new Map<string, Promise<void>>();
  /** Users with a queued (not yet started) fold-in → the earliest acknowledgement it covers. */
  private readonly queued = new Map<string, number>();
  private engine: Engine | null = null;
  private current: { version: string; foldIn: FoldIn } | null = null;

  constructor(
    private readonly o: { models: ModelManager; events: EventStore; erased: ErasedUsers; metrics: Metrics; log: Logger; depth: number },
  ) {}

  peek(userId: string, modelVersion: string): FoldInList | null {
    const l = this.overlay.get(userId);
    if (!l) return null;
    if (l.modelVersion === modelVersion) return l;
    this.touched([userId], NaN);
    return null;
  }

  get size(): number {
    return this.overlay.size;
  }

  /** Events of these users were acknowledged at `ackAt` (performance.now(); NaN: a refold, not timed as event-to-visible). */
  touched(userIds: Iterable<string>, ackAt = performance.now()): void {
    for (const u of userIds) {
      const q = this.queued.get(u);
      if (q !== undefined) {
        if (Number.isNaN(q)) this.queued.set(u, ackAt);
        continue;
      }
      this.queued.set(u, ackAt);
      void this.enqueue(u, () => this.refresh(u));
    }
  }

  /**
   * Erases the user (after any work queued for them): events, fold-in result, stored and cached
   * lists, model row. Rejects with a 503 HttpError when the store could not erase (the events are
   * gone and the erasure is remembered by then; repeating the call completes it).
   */
  erase(userId: string): Promise<Erased> {
    const before = this.o.erased.erasedAt(userId);
    this.o.erased.record(userId, Date.now()); // before anything: a model loading now masks the user
    return this.enqueue(userId, async () => {
      this.queued.delete(userId);
      const events = await this.o.events.deleteUser(userId);
      const foldinResults = this.overlay.delete(userId) ? 1 : 0;
      const model = this.o.models.current;
      if (!model) return { events, foldinResults, storedLists: 0, cachedLists: 0, modelRows: 0 };
      model.acquire();
      try {
        const maskedAlready = before !== undefined && !(before < Date.parse(model.prepared.manifest.createdAt));
        const modelRows = !maskedAlready && model.store.erase !== undefined && new IdIndex(model.prepared.table.users).rowOf(userId) >= 0 ? 1 : 0;
        const lists = (await model.store.erase?.(userId)) ?? { stored: 0, cached: 0 };
        return { events, foldinResults, storedLists: lists.stored, cachedLists: lists.cached, modelRows };
      } catch (e) {
        this.o.log.error({ err: e, userId }, 'erasure incomplete: the store could not erase the user');
        const why = e instanceof StoreError ? e.message : String(e);
        throw new HttpError(503, 'erasure_incomplete', `the user's events (${events}) were erased, but not their stored recommendations (${why}); retry the DELETE`, { 'retry-after': '5' });
      } finally {
        model.release();
      }
    });
  }

  /**
   * Applies erasures made elsewhere (another replica sharing the event store): the serving store
   * masks the users (its cache entries dropped too) and their overlay entries are recomputed from
   * the events left (those sent after the erasure), or dropped when none are.
   */
  erasedElsewhere(userIds: readonly string[]): void {
    this.o.models.current?.store.mask?.(userIds);
    this.touched(userIds, NaN);
  }

  /** Resolves once every queued fold-in has run (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all(this.chains.values());
  }

  private enqueue<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(userId) ?? Promise.resolve();
    const result = prev.then(work);
    const tail = result.then(
      () => {},
      () => {},
    );
    this.chains.set(userId, tail);
    void tail.then(() => {
      if (this.chains.get(userId) === tail) this.chains.delete(userId);
    });
    return result;
  }

  private async refresh(userId: string): Promise<void> {
    const ackAt = this.queued.get(userId) ?? NaN;
    this.queued.delete(userId);
    const model = this.o.models.current;
    if (!model) return;
    model.acquire();
    try {
      const events = await this.o.events.forUser(userId);
      const t0 = performance.now();
      const r = foldInUser(this.foldInFor(model), events, (id) => model.catalog.ids.rowOf(id), this.o.depth);
      const t1 = performance.now();
      if (r) {
        this.overlay.set(userId, { modelVersion: model.version, items: r.items, scores: r.scores, seen: r.seen });
        this.o.metrics.observeFoldIn((t1 - t0) / 1000);
        if (!Number.isNaN(ackAt)) this.o.metrics.observeEventVisible((t1 - ackAt) / 1000);
      } else this.overlay.delete(userId);
    } catch (e) {
      this.o.log.error({ err: e, userId }, 'fold-in failed; the user keeps their previous recommendations');
    } finally {
      model.release();
    }
  }

  private foldInFor(model: ServingModel): FoldIn {
    if (this.current?.version !== model.version) {
      const a = readArtifact(model.prepared.dir, { verify: false });
      this.engine ??= loadEngine();
      const foldIn = this.engine.createFoldIn({ rank: a.rank, itemFactors: a.itemFactors }, foldInParams(a.manifest.params as Record<string, unknown>, a.rank));
      this.current = { version: model.version, foldIn };
      this.o.log.info({ modelVersion: model.version, items: a.itemIds.length, rank: a.rank }, 'fold-in ready for this model');
    }
    return this.current.foldIn;
  }
}
