// Tests the Redis baseline of the serving benchmark against a real redis-server: the compiled
// child answers each user's stored value byte for byte (encoded independently here), a fixed body
// for users without one, and 404 for other paths.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowLength, syntheticTable } from '../../ts/store/load-table.js';
import { loadRedis } from '../../ts/store/redis-load.js';
import { startRedis, type TestRedis } from '../../ts/store/testing/redis-server.js';
import { startBareRedis, type Running } from './children.js';
import { packageRoot } from '../../ts/util/package-root.js';

const ROOT = packageRoot();
const table = syntheticTable('v7', 50, 40, 6);
let redis: TestRedis;
let bare: Running;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'bench', 'serve', 'bare-redis-server.js'))) throw new Error('dist/bench/serve/bare-redis-server.js is missing: run pnpm build:ts first');
  redis = await startRedis();
  const client = new Redis(redis.url);
  await loadRedis(client, table, { prefix: 'bb' });
  client.disconnect();
  bare = await startBareRedis(ROOT, redis.url, 'bb', 'v7');
});

afterAll(async () => {
  await bare?.stop();
  await redis?.dispose();
});

describe('bare uWS + ioredis endpoint', () => {
  it("answers the user's stored value: n item rows (u32 LE) then n scores (f32 LE)", async () => {
    for (const row of [0, 1, 2, 49]) {
      const r = await fetch(`${bare.url}/v1/users/u${row}/recommendations?k=10`);
      expect(r.status).toBe(200);
      const body = Buffer.from(await r.arrayBuffer());
      const n = rowLength(table, row);
      const expected = Buffer.alloc(8 * n);
      for (let j = 0; j < n; j++) {
        expected.writeUInt32LE(table.items[row * table.depth + j]!, 4 * j);
        expected.writeFloatLE(table.scores[row * table.depth + j]!, 4 * (n + j));
      }
      expect(body.equals(expected)).toBe(true);
    }
  });

  it('answers a fixed body for unknown users and 404 elsewhere', async () => {
    const r = await fetch(`${bare.url}/v1/users/nobody/recommendations`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('{"items":[]}');
    expect((await fetch(`${bare.url}/healthz`)).status).toBe(404);
  });
});
