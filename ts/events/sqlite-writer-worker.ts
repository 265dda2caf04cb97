// Owns the SQLite event store's writer thread: appends (as columns, ./event-columns.ts), impressions, erasures and item records arrive as messages, in order;
// everything that arrived while the previous commit ran is written as one transaction (group
// commit: one fsync for many requests, each append its own savepoint) and answered together. The
// serving thread never waits for a disk flush.

import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from './sqlite.js';
import { fromColumns, type EventColumns } from './event-columns.js';
import type { ItemRecord } from './catalogue.js';
import type { Impression } from './impressions.js';
import { nameThisThread } from '../util/thread-nice.js';

export type WriteOp =
  | { id: number; op: 'impressions'; impressions: Impression[] }
  | { id: number; op: 'append'; columns: EventColumns; tellNew?: boolean }
  | { id: number; op: 'delete'; userId: string; remember: boolean }
  | { id: number; op: 'items'; items: ItemRecord[] };

nameThisThread('recs-sqlite-w');
const store = new SqliteEventStore((workerData as { path: string }).path);
let pending: WriteOp[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  const ops = pending;
  pending = [];
  try {
    const results = store.writeTogether(() =>
      ops.map((o) =>
        o.op === 'append'
          ? o.tellNew
            ? store.appendTellingNewNow(fromColumns(o.columns))
            : store.appendNow(fromColumns(o.columns))
          : o.op === 'impressions'
            ? store.appendImpressionsNow(o.impressions)
            : o.op === 'items'
              ? store.putItemsNow(o.items)
              : store.deleteUserNow(o.userId, { remember: o.remember }),
      ),
    );
    parentPort!.postMessage({ ok: true, ids: ops.map((o) => o.id), results });
  } catch (e) {
    parentPort!.postMessage({ ok: false, ids: ops.map((o) => o.id), message: e instanceof Error ? e.message : String(e) });
  }
}

parentPort!.on('message', (m: WriteOp | { op: 'close' }) => {
  if (m.op === 'close') {
    if (pending.length > 0) flush();
    void store.close().then(() => parentPort!.postMessage({ closed: true }));
    return;
  }
  pending.push(m);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});
