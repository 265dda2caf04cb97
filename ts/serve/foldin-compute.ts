// Owns the work of one fold-in hand-off, wherever it runs (the fold-in worker thread, or the
// calling thread when running from TypeScript sources): keeps one engine FoldIn per model
// version (built when the model is handed over, from the item factors loaded with the model) and
// turns a batch of users' stored events into ready-to-serve lists (items, scores, seen rows).

import { loadEngine } from '../engine/index.js';
import type { AlsParams, Engine, FoldIn } from '../engine/types.js';
import { foldInUser } from '../events/foldin.js';
import { halfLifeFromEnv } from '../events/feedback.js';
import type { TrackedEvent } from '../events/types.js';
import { IdIndex, type IdIndexData } from '../store/embedded-ids.js';
import { WeightsFoldIn } from '../model/algorithms/item-weights.js';

/**
 * What fold-in needs of a model (item factors or item weights in a SharedArrayBuffer: handed to
 * the worker without a copy). Neither (rank 0, no weights): users are not folded in, their
 * stored list or the popularity list serves them.
 */
export interface FoldInModelData {
  version: string;
  rank: number;
  itemFactors: Float32Array;
  /** nItems × nItems (EASE's B): fold-in is x_u·B. */
  itemWeights: Float32Array | null;
  params: Partial<AlsParams>;
  items: IdIndexData;
}

/** One user's outcome: a list (possibly empty: no positive signal), none (no event of a known item), or an error. */
export type UserOutcome = { userId: string; list: PackedList | null; error?: string };

/** A user's list, scores, seen rows and (when there is one) folded-in vector, views of one buffer. */
export type PackedList = { items: Uint32Array; scores: Float32Array; seen: Uint32Array; vector?: Float32Array };

export interface BatchResult {
  version: string;
  outcomes: UserOutcome[];
  /** Seconds of engine work per user (same order), for the fold-in duration histogram. */
  seconds: Float64Array;
}

export class FoldInComputer {
  private engine: Engine | null = null;
  private current: { version: string; foldIn: FoldIn | null; items: IdIndex } | null = null;
  /** RECS_EVENT_HALF_LIFE_DAYS, as training reads it (the server checked it at start-up). */
  private readonly halfLifeMs = halfLifeFromEnv(process.env);

  constructor(private readonly depth: number) {}

  get version(): string | null {
    return this.current?.version ?? null;
  }

  setModel(m: FoldInModelData): void {
    if (this.current?.version === m.version) return;
    const items = new IdIndex(m.items);
    if (m.itemWeights)
      this.current = { version: m.version, foldIn: new WeightsFoldIn({ n: m.itemWeights.length === 0 ? 0 : Math.round(Math.sqrt(m.itemWeights.length)), weights: m.itemWeights }), items };
    else if (m.rank === 0) this.current = { version: m.version, foldIn: null, items };
    else {
      this.engine ??= loadEngine();
      this.current = { version: m.version, foldIn: this.engine.createFoldIn({ rank: m.rank, itemFactors: m.itemFactors }, m.params), items };
    }
  }

  /** Folds in each user from their events (eventsOf may throw: that user's outcome is the error). */
  run(users: readonly string[], eventsOf: (userId: string, index: number) => readonly TrackedEvent[]): BatchResult {
    const c = this.current;
    if (!c) throw new Error('fold-in: no model handed over yet');
    const seconds = new Float64Array(users.length);
    const outcomes = users.map((userId, i): UserOutcome => {
      if (!c.foldIn) return { userId, list: null };
      try {
        const events = eventsOf(userId, i);
        const t0 = performance.now();
        const r = foldInUser(c.foldIn!, events, (id) => c.items.rowOf(id), this.depth, { halfLifeMs: this.halfLifeMs, now: Date.now() });
        seconds[i] = (performance.now() - t0) / 1000;
        return { userId, list: r && packed(r) };
      } catch (e) {
        return { userId, list: null, error: e instanceof Error ? e.message : String(e) };
      }
    });
    return { version: c.version, outcomes, seconds };
  }
}

/** The lists (and the vector, which scores new items, ./new-items-mix.ts) in one buffer (one allocation to clone, transfer and keep per user). */
function packed(r: { items: Uint32Array; scores: Float32Array; seen: Uint32Array; vector?: Float32Array | undefined }): PackedList {
  const n = r.items.length;
  const v = r.vector?.length ?? 0;
  const buf = new ArrayBuffer(4 * (2 * n + r.seen.length + v));
  const items = new Uint32Array(buf, 0, n);
  const scores = new Float32Array(buf, 4 * n, n);
  const seen = new Uint32Array(buf, 8 * n, r.seen.length);
  items.set(r.items);
  scores.set(r.scores);
  seen.set(r.seen);
  if (!r.vector) return { items, scores, seen };
  const vector = new Float32Array(buf, 4 * (2 * n + r.seen.length), v);
  vector.set(r.vector);
  return { items, scores, seen, vector };
}
