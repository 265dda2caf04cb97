// `train --events`: events merged into the data, erased users left out; the same merge from the
// Cosmos DB event store (the test double) as from SQLite.
import { DEFAULT_FEEDBACK } from '../../events/feedback.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { datasetFromRows, prepare } from '../../data/index.js';
import { loadEngine } from '../../engine/index.js';
import { eventStoreConfigFromEnv, withEventStore } from '../../events/open.js';
import { SqliteEventStore } from '../../events/sqlite.js';
import type { EventType, TrackedEvent } from '../../events/types.js';
import { useCosmos } from '../../store/testing/use-cosmos.js';
import { readArtifact } from '../artifact.js';
import { mergeConfiguredEvents, mergeEvents } from './events-source.js';
import { DEFAULT_OPTIONS, type TrainOptions } from './options.js';
import { silentProgress } from './progress.js';
import { train } from './train.js';

const T0 = 1_700_000_000_000; // ms
const ev = (eventId: string, userId: string, itemId: string, type: EventType, value: number, timestamp = T0): TrackedEvent => ({
  eventId,
  userId,
  itemId,
  type,
  value,
  timestamp,
  receivedAt: timestamp,
});

const tmp = () => mkdtempSync(join(tmpdir(), 'recs-train-events-'));
const stores: SqliteEventStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
async function eventStore(events: TrackedEvent[], erase: string[]): Promise<string> {
  const path = join(tmp(), 'events.sqlite');
  const s = new SqliteEventStore(path);
  stores.push(s);
  await s.append(events);
  for (const u of erase) await s.deleteUser(u);
  await s.close();
  return path;
}

describe('mergeEvents', () => {
  it('appends one row per (user, item) pair by the fold-in rule, drops erased users, and the latest timestamp wins the dedupe', async () => {
    // Base timestamps in seconds (as MovieLens): events are converted to seconds.
    const base = datasetFromRows([
      ['u1', 'i1', 2, T0 / 1000 - 100],
      ['u1', 'i2', 5, T0 / 1000 + 100], // newer than the event on (u1, i2): stays
      ['u2', 'i1', 4, T0 / 1000 - 100],
      ['gone', 'i1', 5, T0 / 1000 - 100],
      ['gone', 'i3', 5, T0 / 1000 - 100],
    ]);
    const path = await eventStore(
      [
        ev('a', 'u1', 'i1', 'rating', 3, T0),
        ev('b', 'u1', 'i1', 'click', 1, T0 + 1000),
        ev('c', 'u1', 'i1', 'rating', 4, T0 + 2000), // latest rating wins: 4
        ev('d', 'u1', 'i2', 'rating', 1, T0),
        ev('e', 'new', 'i9', 'click', 1, T0),
        ev('f', 'new', 'i9', 'purchase', 1, T0 + 5), // stored as its multiplier; read as purchase's weight 3 × 1
        ev('g', 'gone', 'i1', 'click', 1, T0),
      ],
      ['gone'],
    );
    const { dataset, stats } = await mergeConfiguredEvents(base, { kind: 'sqlite', path }, DEFAULT_FEEDBACK);
    expect(stats).toMatchObject({ events: 6, rows: 3, eventUsers: 2, newUsers: 1, erasedUsers: 1, erasedUsersExcluded: 1, baseRowsExcluded: 2, timestampUnit: 's' });
    const { dataset: all } = prepare(dataset, { dedupe: true });
    const rows = Array.from({ length: all.length }, (_, r) => [all.userIds[all.users[r]!], all.itemIds[all.items[r]!], all.ratings[r]]);
    expect(rows.sort()).toEqual([
      ['new', 'i9', 4], // 1 + 3: implicit weights summed
      ['u1', 'i1', 4], // the event's latest rating beats the older base row
      ['u1', 'i2', 5], // the base row is newer than the event
      ['u2', 'i1', 4],
    ]);
    expect(all.userIds).not.toContain('gone');
    expect(all.itemIds).not.toContain('i3');
  });
});

describe('mergeEvents from the Cosmos DB event store', () => {
  const cosmos = useCosmos();
  it('merges exactly what the same events and erasures in SQLite merge to', async () => {
    // A fresh base for each merge: the merge grows the base's id maps.
    const base = () =>
      datasetFromRows([
        ['u1', 'i1', 2, T0 / 1000 - 100],
        ['u2', 'i1', 4, T0 / 1000 - 100],
        ['gone', 'i3', 5, T0 / 1000 - 100],
      ]);
    const events = [
      ev('a', 'u1', 'i1', 'rating', 3, T0),
      ev('b', 'u1', 'i2', 'click', 1, T0 + 1),
      ev('c', 'new', 'i9', 'like', 2, T0 + 2),
      ev('d', 'u2', 'i3', 'view', 0.5, T0 + 3),
      ev('e', 'gone', 'i1', 'click', 1, T0),
    ];
    // dated after the erasure (an event dated before it is a replay, refused): kept by both stores
    const comeback = ev('f', 'gone', 'i2', 'click', 1, Date.now() + 60_000);
    const cfg = eventStoreConfigFromEnv({ RECS_EVENTS_STORE: 'cosmos', RECS_COSMOS_ENDPOINT: cosmos.server.endpoint, RECS_COSMOS_KEY: 'test-key', RECS_EVENTS_COSMOS_CONTAINER: 'merge-events' }, '');
    await withEventStore(
      cfg,
      async (s) => {
        await s.append(events);
        await s.deleteUser('gone');
        expect(await s.append([comeback])).toMatchObject({ accepted: 1 });
      },
      { agent: cosmos.server.agent },
    );
    const fromCosmos = await mergeConfiguredEvents(base(), cfg, DEFAULT_FEEDBACK, { agent: cosmos.server.agent });
    const path = await eventStore(events, ['gone']);
    const sqlite = new SqliteEventStore(path);
    stores.push(sqlite);
    expect(await sqlite.append([comeback])).toMatchObject({ accepted: 1 });
    const fromSqlite = await mergeEvents(base(), sqlite, path);
    const rows = (d: ReturnType<typeof base>) => Array.from({ length: d.length }, (_, r) => [d.userIds[d.users[r]!], d.itemIds[d.items[r]!], d.ratings[r], d.timestamps[r]].join()).sort();
    expect(rows(fromCosmos.dataset)).toEqual(rows(fromSqlite.dataset));
    expect({ ...fromCosmos.stats, store: '' }).toEqual({ ...fromSqlite.stats, store: '' });
    expect(fromCosmos.stats).toMatchObject({ store: `cosmos ${cosmos.server.endpoint} recs/merge-events`, events: 5, eventUsers: 4, newUsers: 1, erasedUsers: 1, baseRowsExcluded: 1 });
  });
});

describe('train --events', () => {
  it('trains with the new user from the events and without the erased user', async () => {
    const dir = tmp();
    const file = join(dir, 'ratings.csv');
    const lines = ['user,item,rating,timestamp'];
    for (let u = 1; u <= 12; u++) for (let i = 1; i <= 10; i++) if ((u * 7 + i * 3) % 4 !== 0) lines.push(`u${u},m${i},${1 + ((u + i) % 5)},${1_600_000_000 + u * 10 + i}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const events = await eventStore([ev('e1', 'fresh', 'm1', 'click', 1), ev('e2', 'fresh', 'm2', 'like', 2), ev('e3', 'fresh', 'm11', 'purchase', 3), ev('e4', 'u3', 'm1', 'view', 0.5)], ['u3']);
    const o: TrainOptions = {
      ...structuredClone(DEFAULT_OPTIONS),
      dataset: { kind: 'file', path: file },
      als: { ...DEFAULT_OPTIONS.als, rank: 4, maxIter: 3 },
      evaluate: false,
      beyondAccuracy: 'none',
      depth: 5,
      modelsDir: join(dir, 'models'),
      events: { kind: 'sqlite', path: events },
    };
    const r = await train(loadEngine(), o, silentProgress);
    const a = readArtifact(r.dir);
    expect(a.userIds).toContain('fresh');
    expect(a.userIds).not.toContain('u3');
    expect(a.itemIds).toContain('m11');
    expect(a.userIds).toHaveLength(12); // 11 base users + fresh
    expect(r.manifest.data.events).toMatchObject({ store: events, events: 3, rows: 3, newUsers: 1, erasedUsers: 1, erasedUsersExcluded: 1 });
    // The new user's stored recommendations exclude the items they interacted with.
    const u = a.userIds.indexOf('fresh');
    const recs = Array.from(a.topk.items.subarray(u * 5, u * 5 + 5)).map((i) => a.itemIds[i]);
    expect(recs).not.toContain('m1');
    expect(recs).not.toContain('m11');
  });
});
