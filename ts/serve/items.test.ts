// HTTP tests of the item catalogue (/v1/items/{id}) against real servers: hidden (deleted),
// unavailable and not-yet-launched items disappear from every answer — stored lists, fold-in lists,
// the popularity fallback, the batch, similar items — at once, after a restart, on a second replica
// within its sync, and with the Redis recommendation store and the Cosmos DB event store; bad
// bodies are precise 400s. Each answer is checked against a brute-force reference built from the
// fixture's definition (ts/serve/testing/fixtures.ts).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readArtifact } from '../model/artifact.js';
import type { LocalRegistry } from '../model/registry.js';
import { storeConfigFromEnv, storeFactory } from '../store/config.js';
import { tableOfArtifact } from '../store/load-table.js';
import { loadRedis } from '../store/redis-load.js';
import { useCosmos } from '../store/testing/use-cosmos.js';
import { useRedis } from '../store/testing/use-redis.js';
import { openEventStore } from '../events/open.js';
import { startServer, type RunningServer, type ServerOptions } from './server.js';
import { capturedLogger, fixtureRegistry, getJson } from './testing/fixtures.js';

const USERS = 20;
const ITEMS = 30;
const DEPTH = 6;
const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(registry: LocalRegistry, extra: Partial<ServerOptions>): Promise<RunningServer> {
  const s = await startServer({ modelsDir: registry.root, port: 0, logger: capturedLogger().log, loadMode: 'inline', reloadPollMs: 60_000, catalogueSyncMs: 50, ...extra });
  servers.push(s);
  return s;
}
const tmpDb = () => join(mkdtempSync(join(tmpdir(), 'recs-items-')), 'events.sqlite');
const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const put = (s: RunningServer, id: string, body: unknown) => getJson(`${s.url}/v1/items/${encodeURIComponent(id)}`, json('PUT', body));
const patch = (s: RunningServer, id: string, body: unknown) => getJson(`${s.url}/v1/items/${encodeURIComponent(id)}`, json('PATCH', body));
const del = (s: RunningServer, id: string) => getJson(`${s.url}/v1/items/${encodeURIComponent(id)}`, { method: 'DELETE' });
const ids = (body: { items: { itemId: string }[] }) => body.items.map((i) => i.itemId);
const recs = async (s: RunningServer, user: string, k = 10) => ids((await getJson(`${s.url}/v1/users/${user}/recommendations?k=${k}`)).body);
const similar = async (s: RunningServer, item: string, k = 10) => getJson(`${s.url}/v1/items/${item}/similar?k=${k}`);

/** The brute-force answer for fixture user `u` (-1: unknown) with the items in `blocked` hidden. */
function expected(u: number, blocked: ReadonlySet<string>, k: number): string[] {
  const list = u < 0 ? [] : Array.from({ length: u === USERS - 1 ? 2 : DEPTH }, (_, s) => (u + 1 + 2 * s) % ITEMS);
  const seen = new Set(u < 0 ? [] : [0, 1, 2].map((s) => (u + 2 * s) % ITEMS));
  const fill = Array.from({ length: ITEMS }, (_, j) => j).filter((j) => !seen.has(j) && !list.includes(j));
  return [...list, ...fill]
    .map((j) => `i${j}`)
    .filter((id) => !blocked.has(id))
    .slice(0, k);
}

/** Cosine of fixture items i and j (item j's factors: (cos θj, sin θj, 0, 1), θj = j / ITEMS · π). */
function cosine(i: number, j: number): number {
  const f = (x: number) => [Math.cos((x / ITEMS) * Math.PI), Math.sin((x / ITEMS) * Math.PI), 0, 1];
  const [a, b] = [f(i), f(j)];
  return a.reduce((s, x, n) => s + x * b[n]!, 0) / Math.hypot(...a) / Math.hypot(...b);
}

/** Checks a similar-items answer for item `j` against brute force: no blocked item, and the k best cosines (ties may come in either order). */
function expectSimilar(got: string[], j: number, blocked: ReadonlySet<string>, k: number): void {
  expect(got.filter((id) => blocked.has(id) || id === `i${j}`)).toEqual([]);
  const best = Array.from({ length: ITEMS }, (_, i) => i)
    .filter((i) => i !== j && !blocked.has(`i${i}`))
    .map((i) => cosine(i, j))
    .sort((a, b) => b - a)
    .slice(0, k);
  const mine = got.map((id) => cosine(Number(id.slice(1)), j));
  expect(mine.length).toBe(best.length);
  mine.forEach((c, n) => expect(c).toBeCloseTo(best[n]!, 5));
}

async function until(what: string, f: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('item catalogue on one server (embedded store, SQLite events)', () => {
  it('hides deleted and unavailable items from every answer at once and after a restart; PATCH brings one back', async () => {
    const registry = fixtureRegistry('v1');
    const db = tmpDb();
    const s = await serve(registry, { eventsDb: db, limits: { maxK: 28 } }); // similar items kept 28 deep: 29 candidates
    expect(await recs(s, 'u0')).toEqual(expected(0, new Set(), 10));
    const r = await put(s, 'i3', { title: 'Three', categories: ['Comedy'], attributes: { price: 12.5, brand: 'acme', new: true }, available: false });
    expect(r).toMatchObject({ status: 200, body: { itemId: 'i3', title: 'Three', available: false, deleted: false, attributes: { price: 12.5 } } });
    expect((await del(s, 'i5')).body).toMatchObject({ itemId: 'i5', deleted: true });
    await put(s, 'not-in-the-model', { title: 'x' }); // stored; no row to block
    const blocked = new Set(['i3', 'i5']);
    for (const u of [0, 2, 4, 19]) expect(await recs(s, `u${u}`)).toEqual(expected(u, blocked, 10));
    expect(await recs(s, 'stranger', 5)).toEqual(expected(-1, blocked, 5)); // popularity fallback
    const batch = await getJson(`${s.url}/v1/recommendations:batch`, json('POST', { userIds: ['u0', 'u2'], k: 4 }));
    expect(batch.body.results.map(ids)).toEqual([expected(0, blocked, 4), expected(2, blocked, 4)]);
    expectSimilar(ids((await similar(s, 'i4', 10)).body), 4, blocked, 10);
    expectSimilar(ids((await similar(s, 'i3', 5)).body), 3, blocked, 5); // unavailable: still has neighbours
    expectSimilar(ids((await similar(s, 'i6', 28)).body), 6, blocked, 28); // looks deeper than the kept 28 to skip the 2 blocked
    expect(await similar(s, 'i5')).toMatchObject({ status: 404, body: { error: 'item_not_found', message: expect.stringMatching(/deleted/) } });
    // a fold-in user's list skips them too
    await getJson(`${s.url}/v1/events`, json('POST', { eventId: 'e1', userId: 'fresh', itemId: 'i4', type: 'click' }));
    await until('the fold-in', async () => (await getJson(`${s.url}/v1/users/fresh/recommendations?k=20`)).body.source === 'foldin');
    const folded = await recs(s, 'fresh', 28);
    expect(folded).toHaveLength(27); // 30 items, less the one seen and the two hidden
    expect(folded.filter((id) => blocked.has(id) || id === 'i4')).toEqual([]);
    // the record is readable (read scope), deleted ones too
    expect((await getJson(`${s.url}/v1/items/i5`)).body).toMatchObject({ itemId: 'i5', deleted: true });
    expect((await getJson(`${s.url}/v1/items/i3`)).body.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await getJson(`${s.url}/v1/items/nothing`)).toMatchObject({ status: 404, body: { error: 'item_not_found' } });
    await s.close();

    const again = await serve(registry, { eventsDb: db });
    for (const u of [0, 2]) expect(await recs(again, `u${u}`)).toEqual(expected(u, blocked, 10));
    expect((await similar(again, 'i5')).status).toBe(404);
    // PATCH changes only what it names: i3 available again keeps its title and attributes
    const p = await patch(again, 'i3', { available: true, attributes: { brand: null, colour: 'red' } });
    expect(p.body).toMatchObject({ title: 'Three', available: true, attributes: { price: 12.5, new: true, colour: 'red' } });
    expect(p.body.attributes.brand).toBeUndefined();
    expect(await recs(again, 'u2')).toEqual(expected(2, new Set(['i5']), 10));
    // a PUT brings a deleted item back
    expect((await put(again, 'i5', {})).body).toMatchObject({ deleted: false, available: true });
    expect(await recs(again, 'u0')).toEqual(expected(0, new Set(), 10));
  });

  it('hides an item until its launch time, then recommends it', async () => {
    const s = await serve(fixtureRegistry('v1'), { eventsDb: tmpDb() });
    const launch = Date.now() + 400;
    await put(s, 'i1', { launchAt: new Date(launch).toISOString() });
    expect(await recs(s, 'u0')).toEqual(expected(0, new Set(['i1']), 10));
    await until('the launch', async () => (await recs(s, 'u0')).includes('i1'));
    expect(Date.now()).toBeGreaterThanOrEqual(launch);
    expect(await recs(s, 'u0')).toEqual(expected(0, new Set(), 10));
  });

  it('answers bad bodies with a 400 naming each field, and stores nothing', async () => {
    const s = await serve(fixtureRegistry('v1'), { eventsDb: tmpDb() });
    const bad = await put(s, 'i2', { available: 'no', categories: ['ok', ''], attributes: { 'bad name': 1, available: 2, price: [1] }, colour: 'red', launchAt: 'tomorrow' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_item');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['attributes.available', 'attributes.bad name', 'attributes.price', 'available', 'categories[1]', 'colour', 'launchAt'].sort(),
    );
    expect(bad.body.message).toMatch(/nothing was stored/);
    expect((await put(s, 'i2', { itemId: 'i9' })).body.errors[0]).toMatchObject({ field: 'itemId' });
    expect((await put(s, 'i2', { title: null })).body.errors[0]).toMatchObject({ field: 'title', message: expect.stringMatching(/cannot be null in a PUT/) });
    expect(await put(s, 'i2', '{"title":')).toMatchObject({ status: 400, body: { message: 'the body is not valid JSON' } });
    expect(await put(s, 'i2', [1])).toMatchObject({ status: 400, body: { errors: [{ field: '' }] } });
    expect((await getJson(`${s.url}/v1/items/i2`)).status).toBe(404);
    expect(await recs(s, 'u0')).toEqual(expected(0, new Set(), 10));
    const options = await fetch(`${s.url}/v1/items/i2`, { method: 'OPTIONS' });
    expect(options.headers.get('allow')).toBe('GET, HEAD, PUT, PATCH, DELETE, OPTIONS');
    expect((await getJson(`${s.url}/v1/items/i2`, { method: 'POST' })).status).toBe(405);
  });

  it('needs the admin scope to change the catalogue, the read scope to look', async () => {
    const s = await serve(fixtureRegistry('v1'), { eventsDb: tmpDb(), apiKeys: ['reader-key-0123456789:read', 'admin-key-0123456789:admin'] });
    const as = (key: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` } });
    expect((await getJson(`${s.url}/v1/items/i1`, as('reader-key-0123456789', json('PUT', {})))).status).toBe(403);
    expect((await getJson(`${s.url}/v1/items/i1`, as('admin-key-0123456789', json('PUT', { available: false })))).status).toBe(200);
    expect((await getJson(`${s.url}/v1/items/i1`, as('reader-key-0123456789'))).body.available).toBe(false);
  });
});

describe('item catalogue across replicas', () => {
  it('a change made on one replica hides the item on the other within its sync (SQLite shared)', async () => {
    const registry = fixtureRegistry('v1');
    const db = tmpDb();
    const a = await serve(registry, { eventsDb: db });
    const b = await serve(registry, { eventsDb: db });
    await del(a, 'i1');
    await until('replica b', async () => !(await recs(b, 'u0')).includes('i1'), 2000);
    expect(await recs(b, 'u0')).toEqual(expected(0, new Set(['i1']), 10));
    await put(b, 'i1', { available: true });
    await until('replica a', async () => (await recs(a, 'u0')).includes('i1'), 2000);
  });

  describe('with Redis lists and the Cosmos DB event store', () => {
    const redis = useRedis();
    const cosmos = useCosmos();
    it('hides the item on both replicas, and after a restart', async () => {
      const registry = fixtureRegistry('v1');
      await loadRedis(redis.client, tableOfArtifact(readArtifact(registry.versionDir('v1'))), { keepOld: 5 });
      const eventStoreConfig = {
        kind: 'cosmos' as const,
        cosmos: { endpoint: cosmos.server.endpoint, auth: 'key' as const, key: 'test-key', database: 'recs', container: 'events-items', partitionKey: '/userId', agent: cosmos.server.agent },
      };
      const cfg = storeConfigFromEnv({ RECS_STORE: 'redis', RECS_REDIS_URL: redis.server.url, RECS_STORE_TIMEOUT_MS: '2000' });
      const replica = async () => serve(registry, { eventStore: await openEventStore(eventStoreConfig, { agent: cosmos.server.agent }), createStore: storeFactory(cfg), storeTimeoutMs: 2000 });
      const [a, b] = [await replica(), await replica()];
      await until('the Redis store', async () => (await getJson(`${a.url}/v1/users/u0/recommendations`)).body.source === 'precomputed');
      expect((await del(a, 'i1')).status).toBe(200);
      expect((await put(a, 'i7', { available: false })).status).toBe(200);
      const blocked = new Set(['i1', 'i7']);
      expect(await recs(a, 'u0')).toEqual(expected(0, blocked, 10));
      await until('replica b', async () => !(await recs(b, 'u0')).some((id) => blocked.has(id)), 3000);
      expect(await recs(b, 'u6')).toEqual(expected(6, blocked, 10));
      await a.close();
      const c = await replica();
      await until('the Redis store', async () => (await getJson(`${c.url}/v1/users/u0/recommendations`)).body.source === 'precomputed');
      expect(await recs(c, 'u0')).toEqual(expected(0, blocked, 10));
      expect((await similar(c, 'i1')).status).toBe(404);
    });
  });
});
