// The SQLite event store: durability settings, idempotent batches, per-user reads and erasure.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from './sqlite.js';
import type { TrackedEvent } from './types.js';

const ev = (eventId: string, userId = 'a', itemId = 'i1', timestamp = 1_700_000_000_000): TrackedEvent => ({ eventId, userId, itemId, type: 'click', value: 1, timestamp, receivedAt: timestamp });
const stores: SqliteEventStore[] = [];
const open = (path = join(mkdtempSync(join(tmpdir(), 'recs-events-')), 'db', 'events.sqlite')) => {
  const s = new SqliteEventStore(path);
  stores.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

describe('SqliteEventStore', () => {
  it('runs in WAL mode with synchronous=FULL', () => {
    expect(open().settings()).toEqual({ journalMode: 'wal', synchronous: 2 });
  });

  it('stores a batch once, counting duplicates within and across batches', async () => {
    const s = open();
    expect(await s.append([ev('e1'), ev('e2'), ev('e1')])).toEqual({ accepted: 2, duplicates: 1 });
    expect(await s.append([ev('e2'), ev('e3')])).toEqual({ accepted: 1, duplicates: 1 });
    expect((await s.forUser('a')).map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);
  });

  it('tells which users had no event stored before an append (the append holds all of theirs)', async () => {
    const s = open();
    // a and b are new (their first events at 0 and 1); c had an event; a batch with a conflict stores nothing and tells nothing
    expect(await s.append([ev('c0', 'c')])).toEqual({ accepted: 1, duplicates: 0 });
    expect(await s.appendTellingNew([ev('a1', 'a'), ev('b1', 'b'), ev('a2', 'a', 'i2'), ev('c1', 'c')])).toEqual({ accepted: 4, duplicates: 0, newUsers: [0, 1] });
    expect(await s.appendTellingNew([ev('a3', 'a'), ev('d1', 'd')])).toEqual({ accepted: 2, duplicates: 0, newUsers: [1] });
    const refused = await s.appendTellingNew([ev('e1', 'e'), { ...ev('a1', 'a'), itemId: 'other' }]);
    expect(refused.newUsers).toEqual([]);
    expect(refused.conflicts?.map((c) => c.index)).toEqual([1]);
    // erased, then new events after the erasure: new again
    await s.deleteUser('d');
    expect((await s.appendTellingNew([ev('d2', 'd', 'i1', Date.now() + 1000)])).newUsers).toEqual([0]);
    expect((await s.appendTellingNew([ev('a1', 'a')])).duplicates).toBe(1);
  });

  it('reads one user, oldest first, and erases only that user', async () => {
    const s = open();
    await s.append([ev('x2', 'a', 'i2', 2e12), ev('x1', 'a', 'i1', 1e12), ev('y', 'b')]);
    expect(await s.forUser('a')).toEqual([ev('x1', 'a', 'i1', 1e12), ev('x2', 'a', 'i2', 2e12)]);
    expect(await s.deleteUser('a')).toBe(2);
    expect(await s.forUser('a')).toEqual([]);
    expect(await s.forUser('b')).toHaveLength(1);
  });

  it('remembers erased users and scans every event grouped by user', async () => {
    const s = open();
    await s.append([ev('b1', 'b', 'i1', 3e12), ev('a2', 'a', 'i2', 2e12), ev('a1', 'a', 'i1', 1e12), ev('c', 'c')]);
    expect(s.erasedUsers().size).toBe(0);
    const before = Date.now();
    await s.deleteUser('c');
    await s.deleteUser('nobody');
    await s.deleteUser('in-a-model', { remember: true });
    expect([...s.erasedUsers().keys()]).toEqual(['c', 'in-a-model']);
    expect(s.erasedUsers().get('c')).toBeGreaterThanOrEqual(before);
    expect([...s.scan()].map((e) => e.eventId)).toEqual(['a1', 'a2', 'b1']);
  });

  it('keeps events across reopening the file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'recs-events-')), 'events.sqlite');
    const s = open(path);
    await s.append([ev('e1')]);
    await s.deleteUser('z', { remember: true });
    await s.close();
    const again = open(path);
    expect(await again.forUser('a')).toHaveLength(1);
    expect([...again.erasedUsers().keys()]).toEqual(['z']);
  });
});
