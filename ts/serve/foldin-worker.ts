// Owns the fold-in worker thread: receives a model (its item factors shared, not copied) and
// batches of users, reads the batch's events from its own read-only connection to the SQLite
// event store in one read transaction (but for users new to the store, whose events came with the
// batch: ./foldin-carry.ts; or all of them from the message, for other stores), folds
// them in and posts the lists back packed in one transferred buffer (./foldin-pack.ts). The
// serving thread never runs fold-in math; this thread runs at a lower CPU priority than it.

import { parentPort, workerData } from 'node:worker_threads';
import { FoldInEventsReader } from '../events/sqlite-foldin-read.js';
import type { FeedbackSettings } from '../events/feedback.js';
import type { FoldInEvent, TrackedEvent } from '../events/types.js';
import { FoldInComputer, type FoldInModelData } from './foldin-compute.js';
import { lowerThisThread, nameThisThread } from '../util/thread-nice.js';
import { carriedOf, type CarriedEvents } from './foldin-carry.js';

export type ToWorker = { kind: 'model'; model: FoldInModelData } | { kind: 'batch'; id: number; users: string[]; events?: TrackedEvent[][]; carried?: CarriedEvents };

const { depth, feedback, sqlitePath, nice } = workerData as { depth: number; feedback: FeedbackSettings; sqlitePath: string | null; nice: number };
nameThisThread('recs-foldin');
// below the request thread: when cores are scarce, serving goes first (RECS_FOLDIN_NICE)
if (nice > 0) lowerThisThread(nice);
const computer = new FoldInComputer(depth, feedback);
let reader: FoldInEventsReader | null = null;

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
    let eventsOf: (u: string, i: number) => readonly FoldInEvent[];
    if (m.events) eventsOf = (_u, i) => m.events![i]!;
    else {
      const c = m.carried;
      const toRead = c ? m.users.filter((_, i) => c.at[2 * i + 1]! < 0) : m.users;
      let byUser = new Map<string, FoldInEvent[]>();
      if (toRead.length > 0) byUser = (reader ??= new FoldInEventsReader(sqlitePath!)).read(toRead);
      eventsOf = (u, i) => (c && carriedOf(c, i, u)) || byUser.get(u) || [];
    }
    const result = computer.run(m.users, eventsOf);
    parentPort!.postMessage({ kind: 'done', id: m.id, result }, [result.data]);
  } catch (e) {
    parentPort!.postMessage({ kind: 'failed', id: m.id, message: e instanceof Error ? e.message : String(e) });
  }
});
