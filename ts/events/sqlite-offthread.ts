// Owns the SQLite event store as the server uses it: writes (append, appendImpressions, deleteUser, putItems) go to a writer
// thread (./sqlite-writer-worker.ts) that group-commits them, so the request thread never blocks
// on fsync; reads (a user's events, erasures since a time, the scan, item records) use this thread's own
// connection (WAL: readers see every committed write). Same EventStore contract and durability:
// append() resolves after the commit that holds the batch. When the compiled worker script is
// missing (running from TypeScript sources), writes happen on this thread.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SqliteEventStore } from './sqlite.js';
import { toColumns } from './event-columns.js';
import type { WriteOp } from './sqlite-writer-worker.js';
import type { AppendNewUsers, AppendResult, EventStore, TrackedEvent } from './types.js';
import type { ItemRecord } from './catalogue.js';
import type { Impression, ImpressionResult } from './impressions.js';

const workerUrl = new URL('./sqlite-writer-worker.js', import.meta.url);

type Reply = { ok: true; ids: number[]; results: (AppendResult | AppendNewUsers | ImpressionResult | number)[] } | { ok: false; ids: number[]; message: string } | { closed: true };

export class OffThreadSqliteStore implements EventStore {
  readonly kind = 'sqlite';
  private readonly local: SqliteEventStore;
  private readonly worker: Worker | null;
  private readonly waiting = new Map<number, { resolve: (r: AppendResult | ImpressionResult | number) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor(
    readonly path: string,
    opts: { workerUrl?: URL } = {},
  ) {
    this.local = new SqliteEventStore(path); // creates the file and schema before the writer opens it
    const url = opts.workerUrl ?? workerUrl;
    this.worker = path !== ':memory:' && existsSync(fileURLToPath(url)) ? new Worker(url, { workerData: { path } }) : null;
    this.worker?.on('message', (m: Reply) => {
      if ('closed' in m) return;
      m.ids.forEach((id, i) => {
        const w = this.waiting.get(id);
        this.waiting.delete(id);
        if (m.ok) w?.resolve(m.results[i]!);
        else w?.reject(new Error(`event store ${path}: ${m.message}`));
      });
    });
    this.worker?.on('error', (e) => this.failAll(e));
    this.worker?.on('exit', (code) => this.failAll(new Error(`event store ${path}: the writer thread exited (code ${code})`)));
  }

  /** True when writes run on the writer thread. */
  get offThread(): boolean {
    return this.worker !== null;
  }

  append(events: readonly TrackedEvent[]): Promise<AppendResult> {
    if (!this.worker) return this.local.append(events);
    return this.send({ id: this.nextId++, op: 'append', columns: toColumns(events) }) as Promise<AppendResult>;
  }

  appendTellingNew(events: readonly TrackedEvent[]): Promise<AppendNewUsers> {
    if (!this.worker) return this.local.appendTellingNew(events);
    return this.send({ id: this.nextId++, op: 'append', columns: toColumns(events), tellNew: true }) as Promise<AppendNewUsers>;
  }

  deleteUser(userId: string, opts: { remember?: boolean } = {}): Promise<number> {
    if (!this.worker) return this.local.deleteUser(userId, opts);
    return this.send({ id: this.nextId++, op: 'delete', userId, remember: opts.remember ?? false }) as Promise<number>;
  }

  putItems(items: readonly ItemRecord[]): Promise<number> {
    if (!this.worker) return this.local.putItems(items);
    return this.send({ id: this.nextId++, op: 'items', items: items as ItemRecord[] }) as Promise<number>;
  }

  appendImpressions(impressions: readonly Impression[]): Promise<ImpressionResult> {
    if (!this.worker) return this.local.appendImpressions(impressions);
    return this.send({ id: this.nextId++, op: 'impressions', impressions: impressions as Impression[] }) as Promise<ImpressionResult>;
  }

  impressions(since?: number): Promise<Impression[]> {
    return this.local.impressions(since);
  }

  item(itemId: string): Promise<ItemRecord | undefined> {
    return this.local.item(itemId);
  }

  received(since: number): Promise<TrackedEvent[]> {
    return this.local.received(since);
  }

  items(since?: number): Promise<ItemRecord[]> {
    return this.local.items(since);
  }

  forUser(userId: string): Promise<TrackedEvent[]> {
    return this.local.forUser(userId);
  }

  erased(since?: number): Promise<Map<string, number>> {
    return this.local.erased(since);
  }

  all(): AsyncIterable<TrackedEvent> {
    return this.local.all();
  }

  async close(): Promise<void> {
    if (this.worker) {
      const closed = new Promise<void>((r) => this.worker!.once('message', (m: Reply) => 'closed' in m && r()));
      this.worker.postMessage({ op: 'close' });
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
      await this.worker.terminate();
    }
    await this.local.close();
  }

  private send(op: WriteOp): Promise<AppendResult | ImpressionResult | number> {
    return new Promise((resolve, reject) => {
      this.waiting.set(op.id, { resolve, reject });
      this.worker!.postMessage(op);
    });
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}
