// Tests the Redis store and loader against a real redis-server (./testing/redis-server.ts).

import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticTable } from './load-table.js';
import { redisKeys } from './redis-keys.js';
import { loadRedis, redisVersions } from './redis-load.js';
import { RedisStore } from './redis.js';
import { useRedis } from './testing/use-redis.js';
import { StoreError } from './types.js';

const redis = useRedis({ retryStrategy: () => 50 });
beforeAll(async () => {
  redis.client.on('error', () => {});
});

const store = (version: string, prefix: string) => new RedisStore({ url: redis.server.url, modelVersion: version, depth: 5, prefix, recheckMs: 0, timeoutMs: 500 });
const ready = async (s: RedisStore, user: string) => {
  for (let i = 0; i < 100; i++) {
    try {
      return await s.get(user);
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('store never became ready');
};

describe('redis store', () => {
  it('loads a version and serves the same lists as the table, empty slots cut off', async () => {
    const t = syntheticTable('v1', 300, 50, 5);
    let progress = 0;
    const r = await loadRedis(redis.client, t, { prefix: 'a', batch: 64, onProgress: (d) => (progress = d) });
    expect(r.users).toBe(300);
    expect(progress).toBe(300);
    const s = store('v1', 'a');
    const l0 = await ready(s, 'u0');
    expect(l0?.modelVersion).toBe('v1');
    expect(Array.from(l0!.items)).toEqual(Array.from(t.items.subarray(0, 3)));
    expect(Array.from(l0!.scores)).toEqual(Array.from(t.scores.subarray(0, 3)));
    const l1 = await s.get('u1');
    expect(Array.from(l1!.items)).toEqual(Array.from(t.items.subarray(5, 10)));
    expect(await s.get('nobody')).toBeNull();
    await s.close();
    await expect(s.get('u1')).rejects.toMatchObject({ reason: 'closed' });
  });

  it('keeps versions apart, flips the pointer only after a complete load, and prunes old versions', async () => {
    const p = 'b';
    const k = redisKeys(p);
    await loadRedis(redis.client, syntheticTable('v1', 100, 30, 5), { prefix: p, keepOld: 1 });
    const s1 = store('v1', p);
    const before = await ready(s1, 'u4');
    // a store bound to a version not loaded yet refuses (fallback), it never reads another version
    const s2 = store('v2', p);
    await expect(s2.get('u4')).rejects.toMatchObject({ reason: 'unavailable' });
    const t2 = syntheticTable('v2', 100, 30, 5);
    t2.items.fill(29); // different lists
    t2.scores.fill(0.5);
    await loadRedis(redis.client, t2, { prefix: p, keepOld: 1 });
    expect(await redis.client.get(k.active)).toBe('v2');
    expect(Array.from((await s2.get('u4'))!.items)).toEqual([29, 29, 29, 29, 29]);
    expect(await s1.get('u4')).toEqual(before); // v1 is still there, unchanged
    const r3 = await loadRedis(redis.client, syntheticTable('v3', 100, 30, 5), { prefix: p, keepOld: 1 });
    expect(r3.deletedVersions).toEqual(['v1']);
    expect(await redisVersions(redis.client, p)).toEqual({ active: 'v3', loaded: ['v2', 'v3'] });
    expect(await redis.client.keys(`${p}:v:v1:*`)).toEqual([]);
    await new Promise((r) => setTimeout(r, 5));
    await expect(s1.get('u4')).resolves.toBeNull(); // meta gone: the store sees no v1 user
    await Promise.all([s1.close(), s2.close()]);
  });

  it('does not flip the pointer when the count check fails', async () => {
    const p = 'c';
    await loadRedis(redis.client, syntheticTable('v1', 20, 10, 3), { prefix: p });
    // a key lost after it was written (evicted under maxmemory, say): the load must not go live
    const lose = (done: number) => void (done === 20 && redis.client.del(redisKeys(p).user('v2', 'u3')));
    await expect(loadRedis(redis.client, syntheticTable('v2', 20, 10, 3), { prefix: p, onProgress: lose })).rejects.toThrow(/19 of 20 users/);
    expect(await redis.client.get(redisKeys(p).active)).toBe('v1');
  });

  it('rejects with StoreError while Redis is down and recovers by itself after a restart', async () => {
    const p = 'd';
    await loadRedis(redis.client, syntheticTable('v1', 50, 20, 5), { prefix: p });
    const s = store('v1', p);
    await ready(s, 'u1');
    await redis.server.stop();
    const errors: string[] = [];
    for (let i = 0; i < 10; i++) {
      try {
        await s.get(`u${i}`, { timeoutMs: 200 });
        errors.push('ok');
      } catch (e) {
        expect(e).toBeInstanceOf(StoreError);
        errors.push((e as StoreError).reason);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(errors.every((r) => r === 'unavailable' || r === 'timeout')).toBe(true);
    await redis.server.start(); // empty again: no persistence
    await loadRedis(redis.client, syntheticTable('v1', 50, 20, 5), { prefix: p });
    const back = await ready(s, 'u1');
    expect(back?.items.length).toBe(5);
    await s.close();
  });
});
