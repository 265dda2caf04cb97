// Owns where item fold-in runs and what feeds it: a worker thread (./item-foldin-worker.ts) when its
// compiled script is present (the built server), else the calling thread on the next turn (running
// from TypeScript sources, as most unit tests do). It is fed the events this replica accepted, the
// erasures, and the events every other replica stored: the worker reads them itself from a SQLite
// event store file; for other stores (Cosmos DB) this thread asks the store every `syncMs`
// (network I/O, not computation) and hands them over. Updates come back through `onUpdates`. A
// worker that dies is replaced a second later, handed the model, and reads the events stored
// since the model's creation again (what only the dead worker held comes back from the store).

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EventStore, TrackedEvent } from '../events/types.js';
import { DEFAULT_FEEDBACK, type FeedbackSettings } from '../events/feedback.js';
import { ItemFoldInComputer, type ItemFoldInModel, type ItemUpdate } from './item-foldin-compute.js';
import { RECEIVED_MARGIN_MS, ReceivedCursor } from './item-foldin-cursor.js';
import type { FromItemWorker, ToItemWorker } from './item-foldin-worker.js';
import type { Logger } from './logger.js';

const defaultWorkerUrl = new URL('./item-foldin-worker.js', import.meta.url);

export interface ItemFoldInOptions {
  events: EventStore;
  log: Logger;
  /** How often other replicas' events are read, ms (default 1 000; 0 = never). */
  syncMs?: number;
  marginMs?: number;
  mode?: 'worker' | 'inline';
  workerUrl?: URL;
  /** How events become strengths, as user fold-in and training read them (default DEFAULT_FEEDBACK). */
  feedback?: FeedbackSettings;
  /** The worker thread's nice value (Linux; default 0: the request thread's priority; the server passes RECS_FOLDIN_NICE). */
  nice?: number;
  onUpdates(version: string, updates: ItemUpdate[]): void;
}

export class ItemFoldInRunner {
  readonly mode: 'worker' | 'inline';
  private worker: Worker | null = null;
  private inline: ItemFoldInComputer | null = null;
  private scheduled = false;
  private model: ItemFoldInModel | null = null;
  private readonly cursor: ReceivedCursor;
  private poll: NodeJS.Timeout | null = null;
  private polling = false;
  private loggedEngine = false;
  private readonly sqlitePath: string | null;
  private readonly syncMs: number;
  private readonly marginMs: number;
  private readonly workerUrl: URL;
  private closed = false;

  constructor(private readonly o: ItemFoldInOptions) {
    const url = o.workerUrl ?? defaultWorkerUrl;
    this.mode = o.mode ?? (existsSync(fileURLToPath(url)) ? 'worker' : 'inline');
    const path = (o.events as { path?: unknown }).path;
    this.sqlitePath = o.events.kind === 'sqlite' && typeof path === 'string' && path !== ':memory:' ? path : null;
    const syncMs = o.syncMs ?? 1000;
    const marginMs = o.marginMs ?? RECEIVED_MARGIN_MS;
    this.cursor = new ReceivedCursor(marginMs);
    this.syncMs = syncMs;
    this.marginMs = marginMs;
    this.workerUrl = url;
    if (this.mode === 'inline') this.inline = new ItemFoldInComputer(o.feedback ?? DEFAULT_FEEDBACK);
    if (syncMs > 0 && o.events.received && (this.mode === 'inline' || this.sqlitePath === null)) this.poll = setInterval(() => void this.readOthers(), syncMs).unref();
  }

  /** The worker, started (again, after a failure: it is handed the model and reads the store's events since the model's creation anew). */
  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const workerReads = this.sqlitePath !== null;
    const w = new Worker(this.workerUrl, {
      workerData: { sqlitePath: this.sqlitePath, syncMs: workerReads ? this.syncMs : 0, marginMs: this.marginMs, feedback: this.o.feedback ?? DEFAULT_FEEDBACK, nice: this.o.nice ?? 0 },
    });
    w.unref();
    w.on('message', (m: FromItemWorker) =>
      m.kind === 'updates' ? this.deliver(m.version, m.updates, m.engineError) : this.o.log.warn({ err: m.message }, 'new items: the item fold-in worker failed'),
    );
    w.on('error', (e) => this.o.log.error({ err: e }, 'the item fold-in worker failed; a new one starts with the next change'));
    w.on('exit', () => {
      if (this.worker !== w) return;
      this.worker = null;
      if (!this.model || this.closed) return;
      this.cursor.start(this.model.createdAt);
      setTimeout(() => !this.closed && this.ensureWorker(), 1000).unref(); // it also reads the other replicas' events
    });
    this.worker = w;
    if (this.model) w.postMessage({ kind: 'model', model: this.model } satisfies ToItemWorker);
    return w;
  }

  /** The model serving from now on. */
  setModel(m: ItemFoldInModel): void {
    this.model = m;
    this.cursor.start(m.createdAt);
    if (this.mode === 'worker' && !this.worker)
      this.ensureWorker(); // hands the model over
    else this.send({ kind: 'model', model: m });
  }

  /** Events this replica accepted (any: the worker keeps those on items the model does not know). */
  observe(events: readonly TrackedEvent[]): void {
    this.send({ kind: 'events', events: events as TrackedEvent[] });
  }

  /** Users erased (here or elsewhere) and when (ms): their earlier events stop counting. */
  erase(users: [string, number][]): void {
    if (users.length > 0) this.send({ kind: 'erase', users });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.poll) clearInterval(this.poll);
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private send(m: ToItemWorker): void {
    if (this.closed) return;
    if (this.mode === 'worker') return void this.ensureWorker().postMessage(m);
    const c = this.inline;
    if (!c) return;
    if (m.kind === 'model') c.setModel(m.model);
    else if (m.kind === 'events') c.observe(m.events);
    else c.erase(m.users);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const updates = c.flush();
      if (updates.length > 0) this.deliver(c.version!, updates, c.engineError);
    });
  }

  private deliver(version: string, updates: ItemUpdate[], engineError: string | null): void {
    if (engineError && !this.loggedEngine) {
      this.loggedEngine = true;
      this.o.log.warn({ err: engineError }, 'no engine for new items: they wait for the next training');
    }
    this.o.onUpdates(version, updates);
  }

  /** Other replicas' events, through the store's API (stores the worker cannot read itself). */
  private async readOthers(): Promise<void> {
    if (this.polling || !this.model) return;
    this.polling = true;
    try {
      const events = this.cursor.took(await this.o.events.received!(this.cursor.since));
      if (events.length > 0) this.observe(events);
    } catch (e) {
      this.o.log.warn({ err: e }, 'could not read the events for new items; retrying at the next interval');
    } finally {
      this.polling = false;
    }
  }
}
