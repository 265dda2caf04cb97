// Owns the item fold-in worker thread: receives the model (its user factors shared, not copied),
// the events this replica accepted and erasures, and — with the SQLite event store — reads, every
// `syncMs`, the events any replica sharing the file stored since the latest it saw (less a margin
// for commits still in flight), from its own read-only connection. Each change is folded in here
// (./item-foldin-compute.ts) and the new items' vectors are posted back; the serving thread never
// runs item fold-in math nor these reads.

import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from '../events/sqlite.js';
import type { TrackedEvent } from '../events/types.js';
import { ItemFoldInComputer, type ItemFoldInModel, type ItemUpdate } from './item-foldin-compute.js';
import { ReceivedCursor } from './item-foldin-cursor.js';

export type ToItemWorker = { kind: 'model'; model: ItemFoldInModel } | { kind: 'events'; events: TrackedEvent[] } | { kind: 'erase'; users: [string, number][] };
export type FromItemWorker = { kind: 'updates'; version: string; updates: ItemUpdate[]; engineError: string | null } | { kind: 'error'; message: string };

const { sqlitePath, syncMs, marginMs } = workerData as { sqlitePath: string | null; syncMs: number; marginMs: number };
const computer = new ItemFoldInComputer();
const cursor = new ReceivedCursor(marginMs);
let reader: SqliteEventStore | null = null;
let scheduled = false;

function flushSoon(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    try {
      const updates = computer.flush();
      if (updates.length > 0) parentPort!.postMessage({ kind: 'updates', version: computer.version!, updates, engineError: computer.engineError } satisfies FromItemWorker);
    } catch (e) {
      parentPort!.postMessage({ kind: 'error', message: e instanceof Error ? e.message : String(e) } satisfies FromItemWorker);
    }
  });
}

parentPort!.on('message', (m: ToItemWorker) => {
  if (m.kind === 'model') {
    computer.setModel(m.model);
    cursor.start(m.model.createdAt);
  } else if (m.kind === 'events') computer.observe(m.events);
  else computer.erase(m.users);
  flushSoon();
});

if (sqlitePath !== null && syncMs > 0) {
  setInterval(() => {
    if (computer.version === null) return;
    try {
      reader ??= new SqliteEventStore(sqlitePath, { readonly: true });
      computer.observe(cursor.took(reader.receivedSince(cursor.since)));
      flushSoon();
    } catch (e) {
      parentPort!.postMessage({ kind: 'error', message: `reading events for new items: ${e instanceof Error ? e.message : String(e)}` } satisfies FromItemWorker);
    }
  }, syncMs).unref();
}
