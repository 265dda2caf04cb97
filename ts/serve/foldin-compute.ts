// Owns the work of one fold-in hand-off, wherever it runs (the fold-in worker thread, or the
// calling thread when running from TypeScript sources): keeps one engine FoldIn per model
// version (built when the model is handed over, from the item factors loaded with the model) and
// turns a batch of users' stored events into ready-to-serve lists (items, scores, seen rows),
// packed as one buffer (./foldin-pack.ts).

import { loadEngine } from '../engine/index.js';
import type { AlsParams, Engine, FoldIn } from '../engine/types.js';
import { foldInUser } from '../events/foldin.js';
import type { FeedbackSettings } from '../events/feedback.js';
import type { FoldInEvent } from '../events/types.js';
import { IdIndex, type IdIndexData } from '../store/embedded-ids.js';
import { WeightsFoldIn } from '../model/algorithms/item-weights.js';
import { PackedBatchBuilder, type PackedBatch } from './foldin-pack.js';

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

export class FoldInComputer {
  private engine: Engine | null = null;
  private current: { version: string; foldIn: FoldIn | null; items: IdIndex } | null = null;
  /** `feedback`: weights, half-life and negative threshold, as training reads them (the server resolved and checked them at start-up). */
  constructor(
    private readonly depth: number,
    private readonly feedback: FeedbackSettings,
  ) {}

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

  /** Folds in each user from their events (eventsOf may throw: that user's outcome is the error), into one packed batch. */
  run(users: readonly string[], eventsOf: (userId: string, index: number) => readonly FoldInEvent[]): PackedBatch {
    const out = new PackedBatchBuilder();
    this.runInto(out, users, eventsOf);
    return out.finish(this.version!);
  }

  /** run(), adding the outcomes to `out` (the inline runner packs several slices as one batch). */
  runInto(out: PackedBatchBuilder, users: readonly string[], eventsOf: (userId: string, index: number) => readonly FoldInEvent[]): void {
    const c = this.current;
    if (!c) throw new Error('fold-in: no model handed over yet');
    const now = Date.now();
    users.forEach((userId, i) => {
      if (!c.foldIn) return out.add(userId, null);
      try {
        const events = eventsOf(userId, i);
        const t0 = performance.now();
        const r = foldInUser(c.foldIn, events, (id) => c.items.rowOf(id), this.depth, this.feedback, now);
        out.add(userId, r, (performance.now() - t0) / 1000);
      } catch (e) {
        out.add(userId, null, 0, e instanceof Error ? e.message : String(e));
      }
    });
  }
}
