// HTTP tests of event tracking, fold-in personalisation and erasure against a real server over
// the fixture model: a new user's first event personalises their next GET (source "foldin"),
// retries are stored once, a malformed batch stores nothing, and erasure removes what it lists.

import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../events/sqlite.js';
import { startServer, type RunningServer } from './server.js';
import type { LocalRegistry } from '../model/registry.js';
import { capturedLogger, fixtureRegistry, getJson, writeFixture } from './testing/fixtures.js';

let server: RunningServer;
let registry: LocalRegistry;
let eventsDb: string;
let db: SqliteEventStore;

beforeAll(async () => {
  registry = fixtureRegistry('v1');
  eventsDb = join(mkdtempSync(join(tmpdir(), 'recs-events-http-')), 'events.sqlite');
  server = await startServer({ modelsDir: registry.root, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventsDb });
  db = new SqliteEventStore(eventsDb);
});
afterAll(async () => {
  await db.close();
  await server.close();
});

const send = (body: unknown) => getJson(`${server.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const recs = (user: string) => getJson(`${server.url}/v1/users/${user}/recommendations?k=5`);
const ids = (body: { items: { itemId: string }[] }) => body.items.map((i) => i.itemId);

/** The user's recommendations once their fold-in is served (fold-in runs after the 202). */
async function foldedIn(user: string, until = (b: any) => b.source === 'foldin') {
  for (let i = 0; i < 200; i++) {
    const r = await recs(user);
    if (until(r.body)) return r;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error(`no fold-in for ${user}`);
}

describe('POST /v1/events → fold-in', () => {
  it('personalises a brand-new user after their first event', async () => {
    expect((await recs('newbie')).body).toMatchObject({ source: 'fallback', fallbackReason: 'unknown_user' });
    const r = await send({ eventId: 'n1', userId: 'newbie', itemId: 'i25', type: 'like' });
    expect(r).toMatchObject({ status: 202, body: { accepted: 1, duplicates: 0 } });
    const g = await foldedIn('newbie');
    expect(g.status).toBe(200);
    expect(g.body).toMatchObject({ userId: 'newbie', modelVersion: 'v1', source: 'foldin', filledFromFallback: 0 });
    // item factors lie on a half circle: the nearest neighbours of i25 come first, i25 itself is left out
    expect(ids(g.body)).not.toContain('i25');
    expect(ids(g.body)).toEqual(expect.arrayContaining(['i24', 'i26']));
    expect(ids(g.body).slice(0, 2).sort()).toEqual(['i24', 'i26']);
  });

  it('refolds a known user from all their events, and counts it in /metrics', async () => {
    await send([
      { eventId: 'k1', userId: 'u3', itemId: 'i2', type: 'purchase' },
      { eventId: 'k2', userId: 'u3', itemId: 'i3', type: 'rating', value: 5, timestamp: '2024-01-01T00:00:00Z' },
    ]);
    const g = await foldedIn('u3');
    expect(ids(g.body)).not.toContain('i2');
    expect(ids(g.body)).not.toContain('i3');
    const m = await getJson(`${server.url}/metrics`);
    expect(m.body).toMatch(/recs_foldins_total [1-9]/);
    expect(m.body).toMatch(/recs_foldin_duration_seconds_count [1-9]/);
    expect(m.body).toMatch(/recs_event_visible_seconds_count [1-9]/);
    expect(m.body).toMatch(/recs_recommendations_total\{source="foldin"\} [1-9]/);
  });

  it('acknowledges retries again and stores them once', async () => {
    const batch = [
      { eventId: 'r1', userId: 'retry', itemId: 'i5', type: 'click' },
      { eventId: 'r2', userId: 'retry', itemId: 'i6', type: 'view' },
    ];
    expect((await send(batch)).body).toEqual({ accepted: 2, duplicates: 0 });
    expect(await send(batch)).toMatchObject({ status: 202, body: { accepted: 0, duplicates: 2 } });
    expect((await send([...batch, { ...batch[0], eventId: 'r3' }])).body).toEqual({ accepted: 1, duplicates: 2 });
    expect((await db.forUser('retry')).map((e) => e.eventId)).toEqual(['r1', 'r2', 'r3']);
  });

  it('rejects a malformed batch with reasons per event, storing none of it', async () => {
    const r = await send([
      { eventId: 'm1', userId: 'mal', itemId: 'i1', type: 'click' },
      { eventId: 'm2', userId: 'mal', itemId: 'i1', type: 'poke' },
      { eventId: 'm3', userId: 'mal', type: 'rating' },
    ]);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'invalid_events', status: 400 });
    expect(r.body.errors.map((e: { index: number; field: string }) => `${e.index}:${e.field}`)).toEqual(['1:type', '2:itemId', '2:value']);
    expect(await send('{"eventId":')).toMatchObject({ status: 400, body: { error: 'bad_request', message: 'the body is not valid JSON' } });
    expect(await send('')).toMatchObject({ status: 400 });
    expect(await db.forUser('mal')).toEqual([]);
    expect((await recs('mal')).body.source).toBe('fallback');
  });

  it('reads a batch of 1,000 events sent in chunks', async () => {
    const batch = Array.from({ length: 1000 }, (_, i) => ({ eventId: `b${i}`, userId: `bulk${i % 10}`, itemId: `i${i % 30}`, type: 'view' }));
    expect((await send(batch)).body).toEqual({ accepted: 1000, duplicates: 0 });
    expect(await db.forUser('bulk3')).toHaveLength(100);
  });
});

/** POST /v1/events with a chunked body, written 1,000 bytes at a time. */
function chunked(body: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 1000) req.write(body.slice(i, i + 1000));
    req.end();
  });
}

describe('request bodies', () => {
  it('reads a chunked body whole (every chunk copied as it arrives)', async () => {
    const batch = Array.from({ length: 300 }, (_, i) => ({ eventId: `ch${i}`, userId: 'chunky', itemId: `i${i % 30}`, type: 'click' }));
    expect(await chunked(JSON.stringify(batch))).toEqual({ status: 202, body: { accepted: 300, duplicates: 0 } });
    expect((await db.forUser('chunky')).map((e) => e.eventId).sort()).toEqual(batch.map((e) => e.eventId).sort());
  });

  it('answers 413 for a chunked body over 1 MiB, storing nothing', async () => {
    const r = await chunked(JSON.stringify({ eventId: 'big', userId: 'big', itemId: 'i1', type: 'click', pad: 'x'.repeat(1 << 20) })).catch((e: Error) => ({ status: -1, body: e.message }));
    expect(r.status).toBe(413);
    expect(await db.forUser('big')).toEqual([]);
  });
});

describe('DELETE /v1/users/{userId}', () => {
  it('removes the events and the fold-in result it lists', async () => {
    await send([
      { eventId: 'd1', userId: 'gone', itemId: 'i7', type: 'click' },
      { eventId: 'd2', userId: 'gone', itemId: 'i9', type: 'like' },
    ]);
    await foldedIn('gone');
    const r = await getJson(`${server.url}/v1/users/gone`, { method: 'DELETE' });
    expect(r).toMatchObject({ status: 200, body: { userId: 'gone', removed: { events: 2, foldinResults: 1, storedLists: 0, cachedLists: 0, modelRows: 0 } } });
    expect(await db.forUser('gone')).toEqual([]);
    expect((await recs('gone')).body).toMatchObject({ source: 'fallback', fallbackReason: 'unknown_user' });
    expect((await getJson(`${server.url}/v1/users/gone`, { method: 'DELETE' })).body.removed).toEqual({ events: 0, foldinResults: 0, storedLists: 0, cachedLists: 0, modelRows: 0 });
  });

  it('wins over a fold-in queued just before it', async () => {
    await send({ eventId: 'q1', userId: 'race', itemId: 'i4', type: 'click' });
    const r = await getJson(`${server.url}/v1/users/race`, { method: 'DELETE' });
    expect(r.body.removed.events).toBe(1);
    expect((await recs('race')).body.source).toBe('fallback');
  });
});

describe('a new model version', () => {
  it('refolds a user against it on their next GET, answering from the store meanwhile', async () => {
    await send({ eventId: 'v-1', userId: 'mover', itemId: 'i10', type: 'purchase' });
    expect((await foldedIn('mover')).body.modelVersion).toBe('v1');
    writeFixture(registry, 'v2');
    registry.activate('v2');
    expect(['loaded', 'unchanged']).toContain(await server.reload()); // the registry watcher may have loaded it first
    expect(server.modelVersion()).toBe('v2');
    expect((await recs('mover')).body).toMatchObject({ modelVersion: 'v2', source: 'fallback' });
    const g = await foldedIn('mover', (b) => b.source === 'foldin' && b.modelVersion === 'v2');
    expect(ids(g.body)).not.toContain('i10');
  });
});

describe('with API keys', () => {
  it('answers 401 before reading the body, and stores nothing', async () => {
    const keyed = await startServer({ modelsDir: registry.root, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventsDb, apiKeys: ['events-key-0123456789'] });
    try {
      const body = JSON.stringify({ eventId: 'nokey', userId: 'nokey', itemId: 'i1', type: 'click' });
      const r = await getJson(`${keyed.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(r).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
      const ok = await getJson(`${keyed.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'events-key-0123456789' }, body });
      expect(ok).toMatchObject({ status: 202, body: { accepted: 1 } });
      expect(await getJson(`${keyed.url}/v1/users/nokey`, { method: 'DELETE' })).toMatchObject({ status: 401 });
    } finally {
      await keyed.close();
    }
  });
});
