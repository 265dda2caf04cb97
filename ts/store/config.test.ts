// Tests the store configuration and, end to end, the API serving from a real Redis through the
// factory: precomputed lists while Redis is up, the popularity fallback (200, store_error) while
// it is down, and precomputed lists again after it restarts, without touching the server.

import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifact } from '../model/artifact.js';
import { startServer, type RunningServer } from '../serve/server.js';
import { capturedLogger, fixtureRegistry, getJson } from '../serve/testing/fixtures.js';
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
