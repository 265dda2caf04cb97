// HTTP tests of complete erasure (DELETE /v1/users/{id}) against a real server: the embedded store
// (row masked, and still masked after a restart and in a reloaded model made before the erasure,
// but not in one made after), a real redis-server and the Cosmos DB test server (the user's lists
// of every loaded version deleted, the in-process cache emptied, other users untouched).

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifact } from '../model/artifact.js';
import type { LocalRegistry } from '../model/registry.js';
import { storeConfigFromEnv, storeFactory } from '../store/config.js';
import { createCosmosClient, ensureContainer } from '../store/cosmos-client.js';
import { countVersion, loadCosmos } from '../store/cosmos-load.js';
import { tableOfArtifact } from '../store/load-table.js';
import { loadRedis } from '../store/redis-load.js';
import { useCosmos } from '../store/testing/use-cosmos.js';
import { useRedis } from '../store/testing/use-redis.js';
import { startServer, type RunningServer, type ServerOptions } from './server.js';
import { capturedLogger, fixtureRegistry, getJson, writeFixture } from './testing/fixtures.js';

const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(registry: LocalRegistry, eventsDb: string, extra: Partial<ServerOptions> = {}): Promise<RunningServer> {
  const s = await startServer({ modelsDir: registry.root, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventsDb, reloadPollMs: 60_000, ...extra });
  servers.push(s);
  return s;
}
const recs = (s: RunningServer, user: string) => getJson(`${s.url}/v1/users/${encodeURIComponent(user)}/recommendations?k=3`);
const erase = (s: RunningServer, user: string) => getJson(`${s.url}/v1/users/${encodeURIComponent(user)}`, { method: 'DELETE' });
const send = (s: RunningServer, body: unknown) => getJson(`${s.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
async function foldedIn(s: RunningServer, user: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await recs(s, user)).body.source === 'foldin') return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no fold-in for ${user}`);
}
/** Writes the fixture `version` with its manifest's createdAt set (the manifest is not checksummed). */
function fixtureMadeAt(registry: LocalRegistry, version: string, createdAt: Date): string {
  const dir = writeFixture(registry, version);
  const path = join(dir, 'manifest.json');
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), createdAt: createdAt.toISOString() }));
  return dir;
}
/** The user's recommendations once the store answers them (a remote store connects after the server starts). */
async function precomputed(s: RunningServer, user: string) {
  for (let i = 0; i < 200; i++) {
    const r = await recs(s, user);
    if (r.body.source === 'precomputed') return r;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`no precomputed list for ${user}`);
}
const tmpDb = () => join(mkdtempSync(join(tmpdir(), 'recs-erase-')), 'events.sqlite');

describe('erasure with the embedded store', () => {
  it('removes events, fold-in and the model row, and the row stays masked across a restart and a reload', async () => {
    const registry = fixtureRegistry('v1');
    const db = tmpDb();
    const s = await serve(registry, db);
    expect((await recs(s, 'u3')).body.source).toBe('precomputed');
    await send(s, { eventId: 'x1', userId: 'u3', itemId: 'i4', type: 'click' });
    await foldedIn(s, 'u3');
    const r = await erase(s, 'u3');
    expect(r).toMatchObject({ status: 200, body: { userId: 'u3', removed: { events: 1, foldinResults: 1, storedLists: 1, cachedLists: 0, modelRows: 1 } } });
    expect((await recs(s, 'u3')).body).toMatchObject({ source: 'fallback', fallbackReason: 'unknown_user' });
    expect((await recs(s, 'u4')).body.source).toBe('precomputed');
    expect((await erase(s, 'u3')).body.removed).toEqual({ events: 0, foldinResults: 0, storedLists: 0, cachedLists: 0, modelRows: 0 });
    await s.close();

    const again = await serve(registry, db);
    expect((await recs(again, 'u3')).body).toMatchObject({ source: 'fallback', fallbackReason: 'unknown_user' });
    writeFixture(registry, 'v2'); // made (createdAt 1970) before the erasure: masked
    registry.activate('v2');
    await again.reload();
    expect(again.modelVersion()).toBe('v2');
    expect((await recs(again, 'u3')).body).toMatchObject({ modelVersion: 'v2', source: 'fallback' });
    expect((await recs(again, 'u5')).body).toMatchObject({ modelVersion: 'v2', source: 'precomputed' });
    fixtureMadeAt(registry, 'v3', new Date(Date.now() + 60_000)); // trained after the erasure: served
    registry.activate('v3');
    await again.reload();
    expect((await recs(again, 'u3')).body).toMatchObject({ modelVersion: 'v3', source: 'precomputed' });
  });

  it('a user who comes back after an erasure is folded in from their new events only', async () => {
    const registry = fixtureRegistry('v1');
    const s = await serve(registry, tmpDb());
    await send(s, { eventId: 'old', userId: 'u7', itemId: 'i20', type: 'purchase' });
    await erase(s, 'u7');
    await send(s, { eventId: 'new', userId: 'u7', itemId: 'i2', type: 'like' });
    await foldedIn(s, 'u7');
    const ids = (await recs(s, 'u7')).body.items.map((i: { itemId: string }) => i.itemId);
    expect(ids).toEqual(expect.arrayContaining(['i1', 'i3'])); // neighbours of i2, not of i20
  });
});

describe('erasure with two replicas sharing the event store', () => {
  it('the other replica masks the user and drops their fold-in at its next sync', async () => {
    const registry = fixtureRegistry('v1');
    const db = tmpDb();
    const a = await serve(registry, db, { erasureSyncMs: 50 });
    const b = await serve(registry, db, { erasureSyncMs: 50 });
    await send(b, { eventId: 'rep1', userId: 'u8', itemId: 'i4', type: 'click' });
    await foldedIn(b, 'u8');
    expect((await recs(b, 'u9')).body.source).toBe('precomputed');
    expect((await erase(a, 'u8')).body.removed).toMatchObject({ events: 1, modelRows: 1 });
    expect((await erase(a, 'u9')).body.removed).toMatchObject({ events: 0, storedLists: 1 });
    let sources: string[] = [];
    for (let i = 0; i < 200; i++) {
      sources = [(await recs(b, 'u8')).body.source, (await recs(b, 'u9')).body.source];
      if (sources.every((x) => x === 'fallback')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(sources).toEqual(['fallback', 'fallback']);
  });
});

describe('erasure with Redis', () => {
  const redis = useRedis();
  beforeAll(() => {
    redis.client.on('error', () => {}); // the outage test stops the server under it
  });

  it("deletes the user's lists of every loaded version and the cached entry", async () => {
    const registry = fixtureRegistry('v1');
    writeFixture(registry, 'v2', { shift: 1 });
    for (const v of ['v1', 'v2']) await loadRedis(redis.client, tableOfArtifact(readArtifact(registry.versionDir(v))), { keepOld: 5 });
    await redis.client.set('recs:v:v3-loading:u:u3', 'x'); // a version whose load has not finished
    await redis.client.set('other:v:v1:u:u3', 'x'); // another prefix: not ours
    registry.activate('v2');
    const cfg = storeConfigFromEnv({ RECS_STORE: 'redis', RECS_REDIS_URL: redis.server.url, RECS_STORE_TIMEOUT_MS: '2000' });
    const s = await serve(registry, tmpDb(), { createStore: storeFactory(cfg), storeTimeoutMs: 2_000 });
    expect((await precomputed(s, 'u3')).body.modelVersion).toBe('v2'); // now cached
    const r = await erase(s, 'u3');
    expect(r).toMatchObject({ status: 200, body: { removed: { events: 0, foldinResults: 0, storedLists: 3, cachedLists: 1, modelRows: 1 } } });
    expect(await redis.client.exists('recs:v:v1:u:u3', 'recs:v:v2:u:u3', 'recs:v:v3-loading:u:u3')).toBe(0);
    expect(await redis.client.exists('other:v:v1:u:u3', 'recs:v:v1:u:u13', 'recs:v:v2:u:u13', 'recs:v:v2:u:u4')).toBe(4);
    expect((await recs(s, 'u3')).body).toMatchObject({ source: 'fallback', fallbackReason: 'unknown_user' });
    // the version is loaded again (an old artifact): the server still masks the user
    await loadRedis(redis.client, tableOfArtifact(readArtifact(registry.versionDir('v2'))), { keepOld: 5 });
    expect(await redis.client.exists('recs:v:v2:u:u3')).toBe(1);
    expect((await recs(s, 'u3')).body.source).toBe('fallback');
  });

  it('answers 503 when Redis is down, and a retry completes the erasure', async () => {
    const registry = fixtureRegistry('v1');
    await loadRedis(redis.client, tableOfArtifact(readArtifact(registry.versionDir('v1'))), { keepOld: 5 });
    const cfg = storeConfigFromEnv({ RECS_STORE: 'redis', RECS_REDIS_URL: redis.server.url });
    const s = await serve(registry, tmpDb(), { createStore: storeFactory(cfg) });
    await precomputed(s, 'u6');
    await redis.server.stop();
    const r = await erase(s, 'u6');
    await redis.server.start();
    expect(r).toMatchObject({ status: 503, body: { error: 'erasure_incomplete' } });
    expect((await recs(s, 'u6')).body.source).toBe('fallback'); // masked already
    await loadRedis(redis.client, tableOfArtifact(readArtifact(registry.versionDir('v1'))), { keepOld: 5 }); // the server restarted empty
    for (let i = 0; i < 100 && (await erase(s, 'u6')).status !== 200; i++) await new Promise((res) => setTimeout(res, 50));
    expect(await redis.client.exists('recs:v:v1:u:u6')).toBe(0);
  });
});

describe('erasure with Cosmos DB', () => {
  const cosmos = useCosmos();

  it("deletes the user's documents of every loaded version", async () => {
    const registry = fixtureRegistry('v1');
    writeFixture(registry, 'v2', { shift: 1 });
    registry.activate('v2');
    const env = { RECS_STORE: 'cosmos', RECS_COSMOS_ENDPOINT: cosmos.server.endpoint, RECS_COSMOS_KEY: 'test-key', RECS_COSMOS_CONTAINER: 'lists', RECS_STORE_TIMEOUT_MS: '5000' };
    const cfg = storeConfigFromEnv(env);
    const client = createCosmosClient({ ...cfg.cosmos, agent: cosmos.server.agent });
    const container = await ensureContainer(client, cfg.cosmos);
    for (const v of ['v1', 'v2']) await loadCosmos(container, tableOfArtifact(readArtifact(registry.versionDir(v))), { keepOld: 5 });
    const s = await serve(registry, tmpDb(), { createStore: storeFactory(cfg, { agent: cosmos.server.agent }), storeTimeoutMs: 5_000 });
    expect((await precomputed(s, 'u3')).body.modelVersion).toBe('v2');
    const r = await erase(s, 'u3');
    expect(r).toMatchObject({ status: 200, body: { removed: { storedLists: 2, cachedLists: 1, modelRows: 1 } } });
    for (const id of ['v1:u3', 'v2:u3']) expect((await container.item(id, id).read()).resource).toBeUndefined();
    expect((await container.item('v2:u13', 'v2:u13').read()).resource).toBeDefined();
    expect(await countVersion(container, 'v1')).toBe(19);
    expect((await recs(s, 'u3')).body).toMatchObject({ source: 'fallback', fallbackReason: 'unknown_user' });
    client.dispose();
  });
});
