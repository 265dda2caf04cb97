// Owns the fold-in worker thread: receives a model (its item factors shared, not copied) and
// batches of users, reads each user's events from its own read-only connection to the SQLite
// event store (or takes them from the message, for other stores), folds them in and posts the
// lists back with their buffers transferred. The serving thread never runs fold-in math.

import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from '../events/sqlite.js';
import type { FeedbackSettings } from '../events/feedback.js';
import type { TrackedEvent } from '../events/types.js';
import { FoldInComputer, type FoldInModelData } from './foldin-compute.js';

export type ToWorker = { kind: 'model'; model: FoldInModelData } | { kind: 'batch'; id: number; users: string[]; events?: TrackedEvent[][] };

const { depth, feedback, sqlitePath } = workerData as { depth: number; feedback: FeedbackSettings; sqlitePath: string | null };
const computer = new FoldInComputer(depth, feedback);
let reader: SqliteEventStore | null = null;

parentPort!.on('message', (m: ToWorker) => {
  if (m.kind === 'model') {
    try {
      computer.setModel(m.model);
      parentPort!.postMessage({ kind: 'model', version: m.model.version });
    } catch (e) {
      parentPort!.postMessage({ kind: 'model', version: m.model.version, error: e instanceof Error ? e.message : String(e) });
    }
    return;
  }
  try {
    const eventsOf = m.events
      ? (_u: string, i: number) => m.events![i]!
      : (u: string) => {
          reader ??= new SqliteEventStore(sqlitePath!, { readonly: true });
          return reader.eventsOf(u);
        };
    const result = computer.run(m.users, eventsOf);
    const buffers = new Set<ArrayBuffer>();
    for (const o of result.outcomes) if (o.list) buffers.add(o.list.items.buffer as ArrayBuffer);
    parentPort!.postMessage({ kind: 'done', id: m.id, result }, [...buffers]);
  } catch (e) {
    parentPort!.postMessage({ kind: 'failed', id: m.id, message: e instanceof Error ? e.message : String(e) });
  }
});
