// Owns the load generator's worker threads (./worker.ts): started once for a whole command and
// reused by every step (warm-up, measured step, knee steps), so the steps that count run on code
// the JIT already compiled during the warm-up. Each thread prepares a generator (requests built,
// connections open), says ready, runs from the start time it is sent and posts its result. A
// thread's young generation is made large (its setImmediate loop allocates a little on every
// turn), so a scavenge comes every few hundred milliseconds instead of every few. A watchdog
// stops a step that overruns its limit.

import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { GeneratorConfig, GeneratorResult, PreparedGenerator } from './generator.js';

/** Young generation of a generator thread: one semi-space, MiB. */
export const WORKER_SEMI_SPACE_MB = 64;

export type FromWorker = { ready: true } | { result: GeneratorResult };
export type ToWorker = { prepare: GeneratorConfig } | { run: number };

let flagsSet = false;

export class GeneratorThreads {
  private readonly workers: Worker[];
  private failure: Error | null = null;
  private readonly waiting = new Map<Worker, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();

  constructor(readonly size: number) {
    if (!flagsSet) {
      // read by every isolate created from now on, i.e. the generator threads, not this one
      setFlagsFromString(`--min-semi-space-size=${WORKER_SEMI_SPACE_MB}`);
      flagsSet = true;
    }
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(new URL('./worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 3 * WORKER_SEMI_SPACE_MB } });
      w.on('message', (m: FromWorker) => {
        const p = this.waiting.get(w);
        this.waiting.delete(w);
        p?.resolve(m);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', () => this.fail(new Error('a load generator thread exited')));
      return w;
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
  }

  private ask(w: Worker, m: ToWorker): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(w, { resolve, reject });
      w.postMessage(m);
    });
  }

  /** Prepares one generator per thread (configs.length ≤ size); resolves once all are ready. Stops everything after `limitMs`. */
  async prepare(configs: GeneratorConfig[], limitMs: number): Promise<PreparedGenerator[]> {
    const watchdog = setTimeout(() => {
      this.fail(new Error(`a load generator did not finish within ${Math.round(limitMs / 1000)} s (preparation + duration + request timeout + 10 s); stopped it`));
      void this.close();
    }, limitMs);
    watchdog.unref();
    await Promise.all(configs.map((c, i) => this.ask(this.workers[i]!, { prepare: c })));
    let left = configs.length;
    return configs.map((_, i) => ({
      run: async (startAt: number) => {
        const m = await this.ask(this.workers[i]!, { run: startAt });
        if (--left === 0) clearTimeout(watchdog);
        return (m as { result: GeneratorResult }).result;
      },
    }));
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the load generator threads were closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
