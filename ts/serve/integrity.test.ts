// Store integrity against a real redis-server: a flushed Redis (the serving version gone) turns
// /readyz red, flags every answer degraded with the reason, shows in /metrics and is logged once;
// loading the version again (what `recs load` does) clears it.

import { afterAll, describe, expect, it } from 'vitest';
import { readArtifact } from '../model/artifact.js';
import { storeConfigFromEnv, storeFactory } from '../store/config.js';
import { tableOfArtifact } from '../store/load-table.js';
import { loadRedis } from '../store/redis-load.js';
import { useRedis } from '../store/testing/use-redis.js';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, fixtureRegistry, getJson } from './testing/fixtures.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await f();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('store integrity with Redis', () => {
  const redis = useRedis();

  for (const cached of [false, true]) {
    it(`a flushed Redis turns /readyz red and flags answers; reloading clears it (cache ${cached ? 'on' : 'off'})`, async () => {
      await redis.client.flushall();
      const registry = fixtureRegistry('v1');
      const table = tableOfArtifact(readArtifact(registry.versionDir('v1')));
      await loadRedis(redis.client, table, {});
      const cfg = storeConfigFromEnv({ RECS_STORE: 'redis', RECS_REDIS_URL: redis.server.url, RECS_STORE_TIMEOUT_MS: '2000', ...(cached ? {} : { RECS_STORE_CACHE_ENTRIES: '0' }) });
      const logs = capturedLogger();
      const s = await startServer({
        modelsDir: registry.root,
        port: 0,
        logger: logs.log,
        loadMode: 'inline',
        eventsDb: join(mkdtempSync(join(tmpdir(), 'recs-int-')), 'e.sqlite'),
        createStore: storeFactory(cfg),
        storeTimeoutMs: 2000,
        integrityCheckMs: 200,
      });
      servers.push(s);
      const recs = (u: string) => getJson(`${s.url}/v1/users/${u}/recommendations?k=3`);
      await until(
        () => recs('u3'),
        (r) => r.body.source === 'precomputed',
        'the list of u3',
      );
      expect((await getJson(`${s.url}/readyz`)).status).toBe(200);
      expect((await recs('u3')).body.degraded).toBeUndefined();

      await redis.client.flushall();
      const flagged = await until(
        () => recs('u4'),
        (r) => r.body.degraded === true,
        'a degraded answer',
      );
      expect(flagged.body).toMatchObject({ degraded: true, degradedReason: expect.stringMatching(/version v1 is not in Redis/) });
      // the user is known to the model: not called unknown
      expect(flagged.body.fallbackReason).toBe('store_error');
      const ready = await getJson(`${s.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body.reason).toMatch(/store degraded: version v1 is not in Redis/);
      // a cached user is answered, but flagged too
      expect((await recs('u3')).body.degraded).toBe(true);
      const metrics = (await getJson(`${s.url}/metrics`)).body as string;
      expect(metrics).toMatch(/recs_store_degraded\{store="redis"\} 1/);
      await new Promise((r) => setTimeout(r, 500)); // several checks: still logged once
      expect(logs.lines().filter((l) => String(l['msg']).startsWith('the store has lost the serving version'))).toHaveLength(1);

      await loadRedis(redis.client, table, {});
      await until(
        () => getJson(`${s.url}/readyz`),
        (r) => r.status === 200,
        '/readyz green again',
      );
      const back = await recs('u4');
      expect(back.body).toMatchObject({ source: 'precomputed' });
      expect(back.body.degraded).toBeUndefined();
      expect((await getJson(`${s.url}/metrics`)).body).toMatch(/recs_store_degraded\{store="redis"\} 0/);
      expect(logs.lines().filter((l) => l['msg'] === 'the store holds the serving version again: no longer degraded')).toHaveLength(1);
    }, 60_000);
  }

  it('erased users (no list, on purpose) do not flag the store', async () => {
    await redis.client.flushall();
    const registry = fixtureRegistry('v1');
    await loadRedis(redis.client, tableOfArtifact(readArtifact(registry.versionDir('v1'))), {});
    const cfg = storeConfigFromEnv({ RECS_STORE: 'redis', RECS_REDIS_URL: redis.server.url, RECS_STORE_TIMEOUT_MS: '2000' });
    const s = await startServer({
      modelsDir: registry.root,
      port: 0,
      logger: capturedLogger().log,
      loadMode: 'inline',
      eventsDb: join(mkdtempSync(join(tmpdir(), 'recs-int-')), 'e.sqlite'),
      createStore: storeFactory(cfg),
      storeTimeoutMs: 2000,
      integrityCheckMs: 200,
    });
    servers.push(s);
    await until(
      () => getJson(`${s.url}/v1/users/u5/recommendations`),
      (r) => r.body.source === 'precomputed',
      'the list of u5',
    );
    expect((await getJson(`${s.url}/v1/users/u5`, { method: 'DELETE' })).status).toBe(200);
    const r = await getJson(`${s.url}/v1/users/u5/recommendations`);
    expect(r.body).toMatchObject({ source: 'fallback', fallbackReason: 'unknown_user' });
    await new Promise((res) => setTimeout(res, 1200));
    expect((await getJson(`${s.url}/readyz`)).status).toBe(200);
    expect((await getJson(`${s.url}/v1/users/u5/recommendations`)).body.degraded).toBeUndefined();
  }, 60_000);
});
