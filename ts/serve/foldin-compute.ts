// Owns the work of one fold-in hand-off, wherever it runs (the fold-in worker thread, or the
// calling thread when running from TypeScript sources): keeps one engine FoldIn per model
// version (built when the model is handed over, from the item factors loaded with the model) and
// turns a batch of users' stored events into ready-to-serve lists (items, scores, seen rows),
// packed as one buffer (./foldin-pack.ts). With the native engine, the batch's users go to the
// engine in one call (recommendMany), not one call per user.

import { loadEngine } from '../engine/index.js';
import type { AlsParams, Engine, FoldIn } from '../engine/types.js';
import { emptyResult, foldInInput, foldInResult, foldInUser, hasPositive, type FoldInResult } from '../events/foldin.js';
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
    if (c.foldIn?.recommendMany && users.length > 1 && this.runMany(c.foldIn, c.items, out, users, eventsOf, now)) return;
    users.forEach((userId, i) => {
      if (!c.foldIn) return out.add(null);
      try {
        const events = eventsOf(userId, i);
        const t0 = performance.now();
        const r = foldInUser(c.foldIn, events, (id) => c.items.rowOf(id), this.depth, this.feedback, now);
        out.add(r, (performance.now() - t0) / 1000);
      } catch (e) {
        out.add(null, 0, e instanceof Error ? e.message : String(e));
      }
    });
  }

  /**
   * The batch in one engine call: each user's input first (a user whose events fail is that
   * user's error), then the users with a positive signal together. False when the engine call
   * failed (nothing was added: the caller folds them in one by one, so an error names its user).
   */
  private runMany(foldIn: FoldIn, items: IdIndex, out: PackedBatchBuilder, users: readonly string[], eventsOf: (userId: string, index: number) => readonly FoldInEvent[], now: number): boolean {
    const t0 = performance.now();
    const outcomes: (FoldInResult | null | { error: string })[] = new Array(users.length);
    const inputs: { i: number; x: NonNullable<ReturnType<typeof foldInInput>> }[] = [];
    let total = 0;
    users.forEach((userId, i) => {
      try {
        const x = foldInInput(eventsOf(userId, i), (id) => items.rowOf(id), this.feedback, now);
        if (!x) outcomes[i] = null;
        else if (!hasPositive(x)) outcomes[i] = emptyResult(x);
        else {
          inputs.push({ i, x });
          total += x.items.length;
        }
      } catch (e) {
        outcomes[i] = { error: e instanceof Error ? e.message : String(e) };
      }
    });
    if (inputs.length > 0) {
      const offsets = new Uint32Array(inputs.length + 1);
      const rows = new Uint32Array(total);
      const values = new Float32Array(total);
      inputs.forEach(({ x }, j) => {
        rows.set(x.items, offsets[j]!);
        values.set(x.values, offsets[j]!);
        offsets[j + 1] = offsets[j]! + x.items.length;
      });
      let r: ReturnType<NonNullable<FoldIn['recommendMany']>>;
      try {
        r = foldIn.recommendMany!(offsets, rows, values, this.depth);
      } catch {
        return false;
      }
      const [k, rank] = [r.k, foldIn.rank];
      inputs.forEach(({ i, x }, j) => {
        outcomes[i] = foldInResult(x, r.vector.subarray(j * rank, (j + 1) * rank), r.items.subarray(j * k, (j + 1) * k), r.scores.subarray(j * k, (j + 1) * k));
      });
    }
    const seconds = (performance.now() - t0) / 1000 / users.length;
    outcomes.forEach((o) => (o && 'error' in o ? out.add(null, 0, o.error) : out.add(o, seconds)));
    return true;
  }
}
