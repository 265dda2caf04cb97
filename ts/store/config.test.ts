// Tests the store configuration and, end to end, the API serving from a real Redis through the
// factory: precomputed lists while Redis is up, the popularity fallback (200, store_error) while
// it is down, and precomputed lists again after it restarts, without touching the server; and the
// in-process cache's counters in /metrics of a real Redis-backed server.

import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifact } from '../model/artifact.js';
import { startServer, type RunningServer } from '../serve/server.js';
import { capturedLogger, fixtureRegistry, getJson } from '../serve/testing/fixtures.js';
import { ENTRY_OVERHEAD_BYTES } from './cached.js';
import { storeConfigFromEnv, storeFactory } from './config.js';
import { tableOfArtifact } from './load-table.js';
import { loadRedis } from './redis-load.js';
import { startRedis, type TestRedis } from './testing/redis-server.js';

describe('storeConfigFromEnv', () => {
  it('defaults to the embedded store and reads every setting', () => {
    expect(storeConfigFromEnv({}).kind).toBe('embedded');
    const c = storeConfigFromEnv({
      RECS_STORE: 'cosmos',
      RECS_COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/',
      RECS_COSMOS_DATABASE: 'db',
      RECS_COSMOS_CONTAINER: 'c',
      RECS_COSMOS_THROUGHPUT: '400',
      RECS_STORE_CACHE_ENTRIES: '0',
    });
    expect(c).toMatchObject({ kind: 'cosmos', cache: null, cosmos: { auth: 'entra', database: 'db', container: 'c', partitionKey: '/id', throughput: 400 } });
    expect(storeConfigFromEnv({ RECS_COSMOS_KEY: 'k' }).cosmos).toMatchObject({ auth: 'key', key: 'k' });
    expect(storeConfigFromEnv({ RECS_STORE: 'redis' }, { redisUrl: 'redis://h:1' }).redis).toEqual({ url: 'redis://h:1', prefix: 'recs' });
  });

  it('refuses bad settings with the variable named', () => {
    expect(() => storeConfigFromEnv({ RECS_STORE: 'mongo' })).toThrow(/RECS_STORE/);
    expect(() => storeConfigFromEnv({ RECS_STORE: 'cosmos' })).toThrow(/RECS_COSMOS_ENDPOINT/);
    expect(() => storeConfigFromEnv({ RECS_STORE: 'cosmos', RECS_COSMOS_ENDPOINT: 'https://x', RECS_COSMOS_AUTH: 'key' })).toThrow(/RECS_COSMOS_KEY/);
    expect(() => storeConfigFromEnv({ RECS_STORE_CACHE_ENTRIES: 'lots' })).toThrow(/RECS_STORE_CACHE_ENTRIES/);
    expect(() => storeConfigFromEnv({ RECS_STORE_CACHE_BYTES: '-1' })).toThrow(/RECS_STORE_CACHE_BYTES must be a non-negative number, got "-1"/);
  });

  it('bounds the cache in entries and bytes; either at 0 turns it off', () => {
    expect(storeConfigFromEnv({}).cache).toEqual({ maxEntries: 100_000, maxBytes: 256 * 2 ** 20 });
    expect(storeConfigFromEnv({ RECS_STORE_CACHE_ENTRIES: '500', RECS_STORE_CACHE_BYTES: '1048576', RECS_STORE_CACHE_TTL_MS: '1000' }).cache).toEqual({
      maxEntries: 500,
      maxBytes: 1_048_576,
      ttlMs: 1000,
    });
    expect(storeConfigFromEnv({ RECS_STORE_CACHE_BYTES: '0' }).cache).toBeNull();
  });
});

describe('serving from Redis through the factory', () => {
  let redis: TestRedis;
  let server: RunningServer;
  let modelsDir: string;
  const logs = capturedLogger();

  beforeAll(async () => {
    redis = await startRedis();
    const registry = fixtureRegistry('v1');
    modelsDir = registry.root;
    const loader = new Redis(redis.url);
    await loadRedis(loader, tableOfArtifact(readArtifact(join(registry.root, 'v1'))));
    loader.disconnect();
    const cfg = storeConfigFromEnv({ RECS_STORE: 'redis', RECS_REDIS_URL: redis.url, RECS_STORE_CACHE_ENTRIES: '0' });
    server = await startServer({ modelsDir: registry.root, port: 0, logger: logs.log, loadMode: 'inline', createStore: storeFactory(cfg), storeTimeoutMs: 200 });
  });

  afterAll(async () => {
    await server?.close();
    await redis?.dispose();
  });

  const recs = () => getJson(`${server.url}/v1/users/u3/recommendations?k=2`);
  const until = async (source: string) => {
    for (let i = 0; i < 100; i++) {
      const r = await recs();
      if (r.body.source === source) return r;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`never answered from ${source}`);
  };

  it('answers precomputed, falls back while Redis is down, recovers after it restarts', async () => {
    await until('precomputed');
    await redis.stop();
    const during = await Promise.all(Array.from({ length: 20 }, recs));
    for (const r of during) {
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ source: 'fallback', fallbackReason: 'store_error', degraded: true });
    }
    expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/recs_store_errors_total\{store="redis",reason="(unavailable|timeout)"\} [1-9]/);
    await redis.start(); // empty: the data comes back with a reload of the version
    const loader = new Redis(redis.url);
    await loadRedis(loader, tableOfArtifact(readArtifact(join(modelsDir, 'v1'))));
    loader.disconnect();
    expect((await until('precomputed')).status).toBe(200);
  });
});

describe('cache metrics of a Redis-backed server', () => {
  let redis: TestRedis;
  let server: RunningServer;

  beforeAll(async () => {
    redis = await startRedis();
    const registry = fixtureRegistry('v1');
    const loader = new Redis(redis.url);
    await loadRedis(loader, tableOfArtifact(readArtifact(join(registry.root, 'v1'))));
    loader.disconnect();
    const cfg = storeConfigFromEnv({ RECS_STORE: 'redis', RECS_REDIS_URL: redis.url, RECS_STORE_CACHE_ENTRIES: '3' });
    server = await startServer({ modelsDir: registry.root, port: 0, logger: capturedLogger().log, loadMode: 'inline', createStore: storeFactory(cfg), storeTimeoutMs: 1000 });
  });

  afterAll(async () => {
    await server?.close();
    await redis?.dispose();
  });

  const metric = async (name: string) => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const m = new RegExp(`^${name}\\{store="redis"\\} (\\S+)$`, 'm').exec(text);
    if (!m) throw new Error(`${name} not in /metrics:\n${text}`);
    return Number(m[1]);
  };

  it('counts hits, misses, coalesced waits and evictions, and reports entries and bytes', async () => {
    const get = (u: string) => getJson(`${server.url}/v1/users/${u}/recommendations?k=2`);
    for (let i = 0; (await get('u0')).body.source !== 'precomputed'; i++) {
      if (i === 100) throw new Error('the server never answered from Redis');
      await new Promise((r) => setTimeout(r, 50)); // the client connects; failed reads are misses, not cached
    }
    const before = { misses: await metric('recs_store_cache_misses_total'), evictions: await metric('recs_store_cache_evictions_total'), hits: await metric('recs_store_cache_hits_total') };
    expect(await metric('recs_store_cache_entries')).toBe(1);
    expect((await get('u1')).body.source).toBe('precomputed'); // miss
    expect((await get('u1')).body.source).toBe('precomputed'); // hit
    const admin = new Redis(redis.url);
    await admin.call('CLIENT', 'PAUSE', '400', 'ALL'); // Redis holds the first read of u2 while the burst arrives
    admin.disconnect();
    const burst = await Promise.all(Array.from({ length: 10 }, () => get('u2'))); // one read, the rest wait for it
    expect(burst.every((r) => r.status === 200 && r.body.source === 'precomputed')).toBe(true);
    for (const u of ['u3', 'u4', 'u5']) await get(u); // 6 users (with u0) through 3 entries: 3 evictions
    const hits = (await metric('recs_store_cache_hits_total')) - before.hits;
    const misses = (await metric('recs_store_cache_misses_total')) - before.misses;
    const coalesced = await metric('recs_store_cache_coalesced_total');
    expect(misses).toBe(5);
    expect(hits).toBe(1);
    expect(coalesced).toBe(9);
    expect((await metric('recs_store_cache_evictions_total')) - before.evictions).toBe(3);
    expect(await metric('recs_store_cache_entries')).toBe(3);
    expect(await metric('recs_store_cache_max_entries')).toBe(3);
    const bytes = await metric('recs_store_cache_bytes');
    // three lists of the fixture's depth (≤ 10 items × 8 bytes) + the overhead and keys, by hand
    expect(bytes).toBeGreaterThan(3 * ENTRY_OVERHEAD_BYTES);
    expect(bytes).toBeLessThanOrEqual(3 * (ENTRY_OVERHEAD_BYTES + 2 * 2 + 10 * 8));
  });
});
