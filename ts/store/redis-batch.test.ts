// Tests the batching of serving reads against a real redis-server: the reads of one event-loop
// turn go as one MGET (or a GET when alone), values land on the right callers, batches are cut
// at their limit, and a failed command fails every read in it.

import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { RedisGetBatcher } from './redis-batch.js';
import { useRedis } from './testing/use-redis.js';

const redis = useRedis();
beforeAll(async () => {
  await redis.client.mset(Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`b:${i}`, `value-${i}`])));
});

const text = (b: Buffer | null) => (b === null ? null : b.toString());

describe('redis get batcher', () => {
  it('sends the reads of one turn as one MGET, each caller getting its own value (null when absent)', async () => {
    const b = new RedisGetBatcher(redis.client);
    const keys = ['b:3', 'missing:1', 'b:599', 'b:3', 'b:0'];
    const values = await Promise.all(keys.map((k) => b.get(k)));
    expect(values.map(text)).toEqual(['value-3', null, 'value-599', 'value-3', 'value-0']);
    expect(b.sent).toEqual({ commands: 1, keys: 5 });
  });

  it('sends a read alone in its turn as a GET, and reads of later turns in their own batches', async () => {
    const b = new RedisGetBatcher(redis.client);
    expect(text(await b.get('b:7'))).toBe('value-7');
    expect(text(await b.get('b:8'))).toBe('value-8');
    expect(b.sent).toEqual({ commands: 2, keys: 2 });
  });

  it('cuts a turn of many reads into batches of at most maxBatch keys', async () => {
    const b = new RedisGetBatcher(redis.client, 256);
    const values = await Promise.all(Array.from({ length: 600 }, (_, i) => b.get(`b:${i}`)));
    expect(values.map(text)).toEqual(Array.from({ length: 600 }, (_, i) => `value-${i}`));
    expect(b.sent).toEqual({ commands: 3, keys: 600 });
  });

  it('fails every read of a batch whose command fails', async () => {
    const dead = new Redis(redis.server.url, { lazyConnect: true, enableOfflineQueue: false });
    const b = new RedisGetBatcher(dead);
    const results = await Promise.allSettled([b.get('b:1'), b.get('b:2'), b.get('b:3')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    dead.disconnect();
  });
});
