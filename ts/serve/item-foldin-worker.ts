// Owns the item fold-in worker thread: receives the model (its user factors shared, not copied),
// the events this replica accepted and erasures, and — with the SQLite event store — reads, every
// `syncMs`, the events any replica sharing the file stored since the latest it saw (less a margin
// for commits still in flight) on items the model does not know, from its own read-only
// connection (../events/sqlite-received.ts: events on known items are left out in SQL). Each change is folded in here
// (./item-foldin-compute.ts) and the new items' vectors are posted back; the serving thread never
// runs item fold-in math nor these reads. It runs at the user fold-in thread's lower priority.

import { parentPort, workerData } from 'node:worker_threads';
import { ReceivedOnNewItems } from '../events/sqlite-received.js';
import type { FeedbackSettings } from '../events/feedback.js';
import type { TrackedEvent } from '../events/types.js';
import { ItemFoldInComputer, type ItemFoldInModel, type ItemUpdate } from './item-foldin-compute.js';
import { ReceivedCursor } from './item-foldin-cursor.js';
import { lowerThisThread, nameThisThread } from '../util/thread-nice.js';

export type ToItemWorker = { kind: 'model'; model: ItemFoldInModel } | { kind: 'events'; events: TrackedEvent[] } | { kind: 'erase'; users: [string, number][] };
export type FromItemWorker = { kind: 'updates'; version: string; updates: ItemUpdate[]; engineError: string | null } | { kind: 'error'; message: string };

const { sqlitePath, syncMs, marginMs, feedback, nice } = workerData as { sqlitePath: string | null; syncMs: number; marginMs: number; feedback: FeedbackSettings; nice: number };
nameThisThread('recs-item-fold');
// below the request thread, like the user fold-in thread (RECS_FOLDIN_NICE)
if (nice > 0) lowerThisThread(nice);
const computer = new ItemFoldInComputer(feedback);
const cursor = new ReceivedCursor(marginMs);
let reader: ReceivedOnNewItems | null = null;
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
      reader ??= new ReceivedOnNewItems(sqlitePath);
      const items = computer.items!;
      reader.know(computer.version, function* () {
        for (let row = 0; row < items.size; row++) yield items.idAt(row);
      });
      const r = reader.read(cursor.since);
      cursor.saw(r.latest);
      computer.observe(r.events);
      flushSoon();
    } catch (e) {
      parentPort!.postMessage({ kind: 'error', message: `reading events for new items: ${e instanceof Error ? e.message : String(e)}` } satisfies FromItemWorker);
    }
  }, syncMs).unref();
}
