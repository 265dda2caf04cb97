// The item fold-in worker's read: the events on items outside the known set, checked against the
// store's full read filtered here, and the latest receivedAt of all events (left-out ones included).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from './sqlite.js';
import { ReceivedOnNewItems } from './sqlite-received.js';
import type { TrackedEvent } from './types.js';

const ev = (eventId: string, itemId: string, receivedAt: number): TrackedEvent => ({ eventId, userId: `u-${eventId}`, itemId, type: 'click', value: 1, timestamp: receivedAt, receivedAt });
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function setUp(): Promise<{ store: SqliteEventStore; reader: ReceivedOnNewItems }> {
  const store = new SqliteEventStore(join(mkdtempSync(join(tmpdir(), 'recs-received-')), 'events.sqlite'));
  const events: TrackedEvent[] = [];
  for (let n = 0; n < 300; n++) events.push(ev(`e${n}`, `i${n % 7}`, 1_000 + 10 * n));
  await store.append(events);
  const reader = new ReceivedOnNewItems(store.path);
  open.push(store, reader);
  return { store, reader };
}

describe('ReceivedOnNewItems', () => {
  it('reads what receivedSince reads, less the events on known items, and the latest receivedAt of all', async () => {
    const { store, reader } = await setUp();
    const known = ['i0', 'i2', 'i3', 'i5'];
    reader.know('v1', () => known);
    for (const since of [0, 1_500, 3_995, 5_000]) {
      const all = store.receivedSince(since);
      const r = reader.read(since);
      expect(r.events).toEqual(all.filter((e) => !known.includes(e.itemId)));
      expect(r.latest).toBe(all.length > 0 ? Math.max(...all.map((e) => e.receivedAt)) : -Infinity);
    }
  });

  it('loads the known items again only for another key', async () => {
    const { store, reader } = await setUp();
    let loads = 0;
    reader.know('v1', () => (loads++, ['i1']));
    reader.know('v1', () => (loads++, ['i2']));
    expect(loads).toBe(1);
    expect(reader.read(0).events.some((e) => e.itemId === 'i1')).toBe(false);
    reader.know('v2', () => ['i2']);
    expect(reader.read(0).events.map((e) => e.eventId)).toEqual(
      store
        .receivedSince(0)
        .filter((e) => e.itemId !== 'i2')
        .map((e) => e.eventId),
    );
  });
});
