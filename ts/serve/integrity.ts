// Owns noticing that the serving store has lost the active model version: Redis restarted empty
// or flushed, a Cosmos DB container emptied. The store's verify() checks that its version is still
// there (Redis: the version's meta key; Cosmos DB: the pointer document) and that a sample of the
// model's users still have lists. It runs every `intervalMs` (every second while degraded) and at
// once (at most once a second) when a user the model knows has no list in the store. While the
// version is lost, answers carry `degraded: true` with the reason, /readyz fails, /metrics shows
// recs_store_degraded = 1; each transition is logged once and counted. Loading the version into
// the store again (`recs load`) clears it at the next check.

import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { ModelManager } from './model-manager.js';

export class StoreIntegrity {
  /** Why the serving store cannot be trusted now, or null. */
  problem: string | null = null;
  private problemVersion: string | null = null;
  private lastCheck = -Infinity;
  private checking: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly o: { models: ModelManager; metrics: Metrics; log: Logger; intervalMs: number; sampleSize?: number }) {
    o.metrics.integrity = () => ({ store: o.models.current?.store.kind ?? 'none', degraded: this.degradedNow() !== null, transitions: this.transitions });
  }

  private transitions = 0;

  /** The problem of the model serving now (a problem of a model swapped out no longer counts). */
  degradedNow(): string | null {
    return this.problem !== null && this.problemVersion === this.o.models.current?.version ? this.problem : null;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      void this.check().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.problem ? Math.min(1000, this.o.intervalMs) : this.o.intervalMs).unref();
      });
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** A known user had no list in the store: check now (at most once a second). */
  suspect(): void {
    if (performance.now() - this.lastCheck >= 1000) void this.check();
  }

  /** Checks the serving store once (concurrent calls share one check). */
  check(): Promise<void> {
    this.checking ??= this.run().finally(() => (this.checking = null));
    return this.checking;
  }

  private async run(): Promise<void> {
    this.lastCheck = performance.now();
    const model = this.o.models.current;
    if (!model?.store.verify) return;
    model.acquire();
    let problem: string | null;
    try {
      problem = await model.store.verify(model.history.sample(this.o.sampleSize ?? 5));
    } catch (e) {
      // the store cannot be reached: reported per request as store errors, not as a lost version
      this.o.log.debug({ err: e }, 'store integrity check could not run');
      return;
    } finally {
      model.release();
    }
    const was = this.degradedNow();
    this.problem = problem;
    this.problemVersion = problem ? model.version : null;
    if (problem && was === null) {
      this.transitions++;
      this.o.log.error(
        { store: model.store.kind, modelVersion: model.version, reason: problem },
        'the store has lost the serving version: answers are flagged degraded and /readyz fails until it is loaded again (recs load)',
      );
    } else if (!problem && was !== null) {
      this.transitions++;
      // "no list" answers cached while the version was missing are wrong now
      model.store.clearCache?.();
      this.o.log.info({ store: model.store.kind, modelVersion: model.version }, 'the store holds the serving version again: no longer degraded');
    }
  }
}
