// Tests the Cosmos DB store and loader against @vercel/cosmosdb-server over HTTPS, started here,
// including a load through a proxy that throttles a share of the writes with 429.

import type { Container } from '@azure/cosmos';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCosmosClient, ensureContainer, type CosmosConnection } from './cosmos-client.js';
import { countVersion, loadCosmos, readPointer } from './cosmos-load.js';
import { CosmosStore } from './cosmos.js';
import { syntheticTable, type LoadTable } from './load-table.js';
import { startCosmos, startThrottleProxy } from './testing/cosmos-server.js';
import { useCosmos } from './testing/use-cosmos.js';

const cosmos = useCosmos();
let conn: CosmosConnection;
let container: Container;

beforeAll(async () => {
  conn = { endpoint: cosmos.server.endpoint, auth: 'key', key: 'test-key', database: 'recs', container: 'lists', agent: cosmos.server.agent };
  container = await ensureContainer(createCosmosClient(conn), conn);
});

const storeFor = (t: LoadTable, c = container) => {
  const rows = new Map(t.itemIds.map((id, i) => [id, i]));
  return new CosmosStore({ container: c, modelVersion: t.version, depth: t.depth, itemRow: (id) => rows.get(id) ?? -1, userIdAt: (r) => t.userIds[r], recheckMs: 0, timeoutMs: 2_000 });
};

describe('cosmos store', () => {
  it('creates the container when missing, loads a version and serves its lists by point reads', async () => {
    const t = syntheticTable('v1', 120, 40, 5);
    const seen: number[] = [];
    const r = await loadCosmos(container, t, { chunk: 50, onProgress: (d) => seen.push(d) });
    expect(r.users).toBe(120);
    expect(Math.max(...seen)).toBe(120);
    expect(await countVersion(container, 'v1')).toBe(120);
    const s = storeFor(t);
    const l = await s.get('u0');
    expect(Array.from(l!.items)).toEqual(Array.from(t.items.subarray(0, 3)));
    expect(Array.from(l!.scores)).toEqual(Array.from(t.scores.subarray(0, 3)));
    expect((await s.get(1))!.items.length).toBe(5);
    expect(await s.get('nobody')).toBeNull();
    const { resource } = await container.item('v1:u1', 'v1:u1').read();
    expect(resource).toMatchObject({ id: 'v1:u1', userId: 'u1', modelVersion: 'v1', items: expect.arrayContaining([{ itemId: expect.any(String), score: expect.any(Number) }]) });
  });

  it('refuses a version not loaded, switches atomically and prunes old versions', async () => {
    const t2 = syntheticTable('v2', 60, 40, 5);
    const s2 = storeFor(t2);
    await expect(s2.get('u1')).rejects.toMatchObject({ reason: 'unavailable' });
    await loadCosmos(container, t2, { keepOld: 1 });
    expect((await readPointer(container)).activeVersion).toBe('v2');
    expect((await s2.get('u1'))!.modelVersion).toBe('v2');
    const r3 = await loadCosmos(container, syntheticTable('v3', 30, 40, 5), { keepOld: 1 });
    expect(r3.deletedVersions).toEqual(['v1']);
    expect(await countVersion(container, 'v1')).toBe(0);
    expect((await readPointer(container)).versions.map((v) => v.version)).toEqual(['v2', 'v3']);
  });

  it('completes a rerun after a crash without duplicates (upserts)', async () => {
    const t = syntheticTable('v4', 80, 40, 5);
    const crash = (done: number) => {
      if (done >= 30) throw new Error('crash');
    };
    await expect(loadCosmos(container, t, { chunk: 30, concurrency: 1, onProgress: crash })).rejects.toThrow('crash');
    expect(await countVersion(container, 'v4')).toBe(30);
    expect((await readPointer(container)).activeVersion).toBe('v3'); // not switched
    const r = await loadCosmos(container, t);
    expect(r.users).toBe(80);
    expect(await countVersion(container, 'v4')).toBe(80);
  });

  it('completes a load through a proxy answering a share of requests with 429', async () => {
    const proxy = await startThrottleProxy(cosmos.server, 3, 20);
    try {
      const pc = { ...conn, endpoint: proxy.endpoint, endpointDiscovery: false };
      const c = await ensureContainer(createCosmosClient(pc), pc);
      const t = syntheticTable('v5', 200, 40, 5);
      const r = await loadCosmos(c, t, { chunk: 20, concurrency: 2 });
      expect(proxy.throttled).toBeGreaterThan(3);
      expect(await countVersion(container, 'v5')).toBe(200);
      const s = storeFor(t);
      for (const u of ['u0', 'u99', 'u199']) expect((await s.get(u))?.modelVersion).toBe('v5');
      expect(r.users).toBe(200);
    } finally {
      await proxy.close();
    }
  });
});

describe('cosmos store outage', () => {
  it('rejects with StoreError (unavailable or timeout) when the server is gone', async () => {
    const other = await startCosmos();
    const c = { ...conn, endpoint: other.endpoint, agent: other.agent, retryOptions: { maxRetryAttemptCount: 0 } };
    const ct = await ensureContainer(createCosmosClient(c), c);
    const t = syntheticTable('v1', 10, 40, 5);
    await loadCosmos(ct, t);
    const s = storeFor(t, ct);
    expect((await s.get('u2'))?.modelVersion).toBe('v1');
    await other.close();
    const errors = await Promise.allSettled([s.get('u3', { timeoutMs: 300 }), s.get('u4', { timeoutMs: 300 })]);
    for (const e of errors) expect(e).toMatchObject({ status: 'rejected', reason: { name: 'StoreError', reason: expect.stringMatching(/^(unavailable|timeout)$/) } });
  });
});
