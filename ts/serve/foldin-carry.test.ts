// The events that travel with a fold-in hand-off: packed per batch, each carried user's events
// unpacked in the order the SQLite store reads them back (checked against the store itself), and
// users not carried marked as such.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../events/sqlite.js';
import type { FoldInEvent, TrackedEvent } from '../events/types.js';
import { carriedOf, packCarried } from './foldin-carry.js';

const ev = (eventId: string, userId: string, itemId: string, timestamp: number, receivedAt = 5, value = 1): TrackedEvent => ({ eventId, userId, itemId, type: 'rating', value, timestamp, receivedAt });

describe('carried fold-in events', () => {
  it("unpack each carried user's events as the store reads them back, and mark the others", async () => {
    const a = [ev('a3', 'a', 'i1', 20, 5, 1), ev('a1', 'a', 'i1', 10, 5, 5), ev('a0', 'a', 'i2', 20, 4, 3), ev('a2', 'a', 'i3', 20, 5, 2)];
    const c = [ev('c1', 'c', 'i9', 7)];
    const packed = packCarried(['a', 'b', 'c'], (u) => (u === 'a' ? a : u === 'c' ? c : undefined))!;
    const store = new SqliteEventStore(join(mkdtempSync(join(tmpdir(), 'recs-carry-')), 'events.sqlite'));
    await store.append([...a, ...c]);
    const strip = ({ eventId, userId, itemId, type, value, timestamp }: FoldInEvent) => ({ eventId, userId, itemId, type, value, timestamp });
    expect(carriedOf(packed, 0, 'a')!.map(strip)).toEqual((await store.forUser('a')).map(strip));
    expect(carriedOf(packed, 0, 'a')!.map((e) => e.eventId)).toEqual(['a1', 'a0', 'a2', 'a3']);
    expect(carriedOf(packed, 1, 'b')).toBeNull();
    expect(carriedOf(packed, 2, 'c')!.map(strip)).toEqual((await store.forUser('c')).map(strip));
    expect(packCarried(['b'], () => undefined)).toBeUndefined();
    await store.close();
  });
});
