import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateImpressions } from './impressions.js';
import { SqliteEventStore } from './sqlite.js';
import { validateEvents } from './validate.js';

const NOW = 1_800_000_000_000;

describe('impressions: the POST body', () => {
  it('takes one or a batch, one row per item shown, the time the client says or now', () => {
    const v = validateImpressions(
      [
        {
          recommendationId: 'r1',
          userId: 'u',
          items: [
            { itemId: 'a', position: 0 },
            { itemId: 'b', position: 1 },
          ],
        },
        { recommendationId: 'r2', userId: 'u', items: [{ itemId: 'c', position: 3 }], timestamp: '2026-01-01T00:00:00Z' },
      ],
      { now: NOW },
    );
    expect(v).toEqual({
      ok: true,
      impressions: [
        { recommendationId: 'r1', userId: 'u', itemId: 'a', position: 0, shownAt: NOW, receivedAt: NOW },
        { recommendationId: 'r1', userId: 'u', itemId: 'b', position: 1, shownAt: NOW, receivedAt: NOW },
        { recommendationId: 'r2', userId: 'u', itemId: 'c', position: 3, shownAt: Date.parse('2026-01-01T00:00:00Z'), receivedAt: NOW },
      ],
    });
  });

  it('names every bad field by index', () => {
    const v = validateImpressions(
      [
        { recommendationId: '', userId: 'u', items: [{ itemId: 'a', position: 0 }] },
        {
          recommendationId: 'r',
          userId: 'u',
          items: [
            { itemId: 'a', position: -1 },
            { itemId: 'b', position: 2 },
            { itemId: 'c', position: 2, extra: 1 },
          ],
        },
        { recommendationId: 'r', userId: 'u', items: [] },
        { recommendationId: 'r', userId: 'u', items: [{ itemId: 'a', position: 0 }], timestamp: 'yesterday', color: 'red' },
      ],
      { now: NOW },
    );
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.errors.map((e) => `${e.index}:${e.field}`)).toEqual(['0:recommendationId', '1:items[0].position', '1:items[2].extra', '1:items[2].position', '2:items', '3:color', '3:timestamp']);
    expect(validateImpressions([], { now: NOW })).toMatchObject({ ok: false, errors: [{ message: 'the batch is empty' }] });
  });

  it('events carry an optional recommendationId and position', () => {
    const ok = validateEvents({ eventId: 'e', userId: 'u', itemId: 'a', type: 'click', recommendationId: 'r1', position: 2 }, { now: NOW });
    expect(ok).toMatchObject({ ok: true, events: [{ recommendationId: 'r1', position: 2 }] });
    const bad = validateEvents({ eventId: 'e', userId: 'u', itemId: 'a', type: 'click', position: 2 }, { now: NOW });
    expect(bad).toMatchObject({ ok: false, errors: [{ field: 'position', message: 'goes with recommendationId' }] });
  });
});

describe('impressions: the SQLite file', () => {
  it('an event file written before recommendation ids gets the columns on open and keeps its events', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'recs-imp-')), 'events.sqlite');
    const Db = createRequire(import.meta.url)('better-sqlite3') as new (p: string) => { exec(s: string): void; close(): void };
    const old = new Db(path);
    old.exec(
      'CREATE TABLE events (eventId TEXT PRIMARY KEY, userId TEXT NOT NULL, itemId TEXT NOT NULL, type TEXT NOT NULL, value REAL NOT NULL, timestamp INTEGER NOT NULL, receivedAt INTEGER NOT NULL) WITHOUT ROWID;' +
        "INSERT INTO events VALUES ('e0', 'u', 'a', 'click', 1, 5, 5);",
    );
    old.close();
    const store = new SqliteEventStore(path);
    await store.append([{ eventId: 'e1', userId: 'u', itemId: 'b', type: 'click', value: 1, timestamp: 6, receivedAt: 6, recommendationId: 'r', position: 0 }]);
    expect(await store.forUser('u')).toEqual([
      { eventId: 'e0', userId: 'u', itemId: 'a', type: 'click', value: 1, timestamp: 5, receivedAt: 5 },
      { eventId: 'e1', userId: 'u', itemId: 'b', type: 'click', value: 1, timestamp: 6, receivedAt: 6, recommendationId: 'r', position: 0 },
    ]);
    await store.close();
  });
});
