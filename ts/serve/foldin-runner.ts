// Owns where fold-in runs: in a worker thread (./foldin-worker.ts) when its compiled script is
// present (the built server), else on the calling thread in small slices between which requests
// are served (running from TypeScript sources, as most unit tests do). A
// worker that dies is replaced on the next batch (the model is handed over again). Batches
// queue in the worker in the order they are sent; results come back packed (./foldin-pack.ts).

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TrackedEvent } from '../events/types.js';
import type { FeedbackSettings } from '../events/feedback.js';
import { FoldInComputer, type FoldInModelData } from './foldin-compute.js';
import { PackedBatchBuilder, type PackedBatch } from './foldin-pack.js';
import type { ToWorker } from './foldin-worker.js';
import type { CarriedEvents } from './foldin-carry.js';
import type { Logger } from './logger.js';

export type FoldInMode = 'worker' | 'inline';

const defaultWorkerUrl = new URL('./foldin-worker.js', import.meta.url);

export interface FoldInRunnerOptions {
  /** Items per list (the API's largest k). */
  depth: number;
  /** How events become strengths (weights, half-life, negative threshold), as training reads them. */
  feedback: FeedbackSettings;
  /** The SQLite event store's file: the worker reads users' events from it itself (null: events come with each batch). */
  sqlitePath: string | null;
  /** Default: 'worker' when the compiled worker script exists next to this module. */
  mode?: FoldInMode;
  /** The compiled worker script (tests point at dist/). */
  workerUrl?: URL;
  /** The worker thread's nice value (Linux; 0: the request thread's priority). */
  nice?: number;
  log: Logger;
}

type Reply = { kind: 'done'; id: number; result: PackedBatch } | { kind: 'failed'; id: number; message: string } | { kind: 'model'; version: string; error?: string };

/** Users handled per slice on the calling thread (inline mode). */
const INLINE_SLICE = 8;

export class FoldInRunner {
  readonly mode: FoldInMode;
  private worker: Worker | null = null;
  private workerVersion: string | null = null;
  private readonly waiting = new Map<number, { resolve: (r: PackedBatch) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private inline: FoldInComputer | null = null;
  private inlineTail: Promise<unknown> = Promise.resolve();
  private readonly workerUrl: URL;

  constructor(private readonly o: FoldInRunnerOptions) {
    this.workerUrl = o.workerUrl ?? defaultWorkerUrl;
    this.mode = o.mode ?? (existsSync(fileURLToPath(this.workerUrl)) ? 'worker' : 'inline');
  }

  /** True when the runner reads users' events itself (the batch need not carry them). */
  get readsStore(): boolean {
    return this.mode === 'worker' && this.o.sqlitePath !== null;
  }

  /** Hands the model over now (when it is loaded), so the first fold-in does not wait for it. */
  prepare(model: FoldInModelData): void {
    if (this.mode === 'inline') {
      (this.inline ??= new FoldInComputer(this.o.depth, this.o.feedback)).setModel(model);
      return;
    }
    const w = this.ensureWorker();
    if (this.workerVersion === model.version) return;
    w.postMessage({ kind: 'model', model } satisfies ToWorker);
    this.workerVersion = model.version;
  }

  /** Folds the users in against `model`; `events[i]` are users[i]'s events unless readsStore (then `carried` has those of users new to the store). */
  run(model: FoldInModelData, users: string[], events?: TrackedEvent[][], carried?: CarriedEvents): Promise<PackedBatch> {
    this.prepare(model);
    if (this.mode === 'inline') {
      // one batch after another, as in the worker: a later batch's lists are never overwritten by an earlier one's
      const r = this.inlineTail.then(() => this.runInline(users, events!));
      this.inlineTail = r.catch(() => undefined);
      return r;
    }
    const id = this.nextId++;
    return new Promise<PackedBatch>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker!.postMessage({ kind: 'batch', id, users, ...(events && { events }), ...(carried && { carried }) } satisfies ToWorker);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private async runInline(users: string[], events: TrackedEvent[][]): Promise<PackedBatch> {
    const c = this.inline!;
    const out = new PackedBatchBuilder();
    for (let at = 0; at < users.length; at += INLINE_SLICE) {
      if (at > 0) await new Promise((r) => setImmediate(r));
      c.runInto(out, users.slice(at, at + INLINE_SLICE), (_u, i) => events[at + i]!);
    }
    return out.finish(c.version!);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerUrl, { workerData: { depth: this.o.depth, feedback: this.o.feedback, sqlitePath: this.o.sqlitePath, nice: this.o.nice ?? 0 } });
    w.unref();
    w.on('message', (m: Reply) => {
      if (m.kind === 'model') {
        if (m.error) this.o.log.error({ modelVersion: m.version, err: m.error }, 'fold-in cannot use this model');
        else this.o.log.info({ modelVersion: m.version }, 'fold-in ready for this model');
        return;
      }
      const w8 = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.kind === 'done') w8?.resolve(m.result);
      else w8?.reject(new Error(m.message));
    });
    const fail = (e: Error) => {
      if (this.worker === w) {
        this.worker = null;
        this.workerVersion = null;
      }
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
    };
    w.on('error', (e) => {
      this.o.log.error({ err: e }, 'the fold-in worker failed; a new one starts with the next batch');
      fail(e);
    });
    w.on('exit', (code) => fail(new Error(`the fold-in worker exited (code ${code})`)));
    this.worker = w;
    this.workerVersion = null;
    return w;
  }
}
