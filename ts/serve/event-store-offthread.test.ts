// The SQLite event store as the server opens it: writes on the writer thread (the compiled worker
// script), group-committed, each batch all or nothing, in order with erasures, durable once
// resolved (read back through another connection).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OffThreadSqliteStore } from '../events/sqlite-offthread.js';
import { SqliteEventStore } from '../events/sqlite.js';
import type { TrackedEvent } from '../events/types.js';
import { ensureBuilt } from './testing/build.js';

const ev = (eventId: string, userId: string, itemId = 'i1', timestamp = 1_700_000_000_000): TrackedEvent => ({ eventId, userId, itemId, type: 'click', value: 1, timestamp, receivedAt: timestamp });

describe('OffThreadSqliteStore', () => {
  it('group-commits concurrent appends on the writer thread, each batch all or nothing, erasures in order', async () => {
    const [worker] = ensureBuilt(['ts/events/sqlite-writer-worker.js']);
    const path = join(mkdtempSync(join(tmpdir(), 'recs-offthread-')), 'events.sqlite');
    const store = new OffThreadSqliteStore(path, { workerUrl: pathToFileURL(worker!) });
    try {
      expect(store.offThread).toBe(true);
      const batches = Array.from({ length: 200 }, (_, b) => Array.from({ length: 5 }, (_, i) => ev(`b${b}-${i}`, `u${b}`)));
      const [results, conflict, erased] = await Promise.all([
        Promise.all(batches.map((b) => store.append(b))),
        store.append([ev('c-new', 'u1'), ev('b1-0', 'u1', 'other-item')]), // reuses b1-0 for a different event
        store.deleteUser('u3'),
      ]);
      for (const r of results) expect(r).toEqual({ accepted: 5, duplicates: 0 });
      expect(conflict).toMatchObject({ accepted: 0, conflicts: [{ index: 1, reason: 'event_id_reused' }] });
      expect(erased).toBe(5); // sent after u3's batch, applied after it
      const reader = new SqliteEventStore(path);
      expect((await reader.forUser('u1')).map((e) => e.eventId)).toEqual(['b1-0', 'b1-1', 'b1-2', 'b1-3', 'b1-4']);
      expect(await reader.forUser('u3')).toEqual([]);
      expect([...reader.erasedUsers().keys()]).toEqual(['u3']);
      expect([...reader.scan()]).toHaveLength(199 * 5);
      await reader.close();
    } finally {
      await store.close();
    }
  }, 120_000);
});
