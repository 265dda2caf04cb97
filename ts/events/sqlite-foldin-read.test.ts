// The fold-in worker's read: many users at once, across statements, through a read-only
// connection, checked against the store's own per-user read (the columns fold-in reads).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from './sqlite.js';
import { FoldInEventsReader } from './sqlite-foldin-read.js';
import type { TrackedEvent } from './types.js';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

describe('FoldInEventsReader', () => {
  it('reads many users at once exactly as one by one, oldest first, users without events absent', async () => {
    const store = new SqliteEventStore(join(mkdtempSync(join(tmpdir(), 'recs-foldin-read-')), 'events.sqlite'));
    const events: TrackedEvent[] = [];
    for (let u = 0; u < 250; u++)
      for (let k = 0; k < u % 4; k++) {
        const timestamp = 1e12 + ((u * 7 + k * 13) % 5) * 1e9;
        events.push({ eventId: `e${u}-${k}`, userId: `u${u}`, itemId: `i${k}`, type: k === 2 ? 'rating' : 'click', value: k === 2 ? 4 : 1, timestamp, receivedAt: timestamp });
      }
    await store.append(events);
    const reader = new FoldInEventsReader(store.path);
    open.push(store, reader);
    const users = Array.from({ length: 260 }, (_, u) => `u${259 - u}`); // some without events, any order
    const many = reader.read(users);
    for (const u of users) {
      const want = (await store.forUser(u)).map(({ eventId, userId, itemId, type, value, timestamp }) => ({ eventId, userId, itemId, type, value, timestamp }));
      expect(many.get(u) ?? []).toEqual(want);
    }
    expect(many.size).toBe(users.filter((u) => Number(u.slice(1)) < 250 && Number(u.slice(1)) % 4 > 0).length);
    expect(reader.read([])).toEqual(new Map());
  });
});
