// Owns the Redis fixture of a test file: a throwaway redis-server (./redis-server.ts) started
// before the file's tests (or a describe block's, when called inside one) with an ioredis client
// connected to it, both gone after them. The fields are set once the tests run.

import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type TestRedis } from './redis-server.js';

export interface RedisFixture {
  server: TestRedis;
  client: Redis;
}

export function useRedis(clientOptions: RedisOptions = {}): RedisFixture {
  const fx = {} as RedisFixture;
  beforeAll(async () => {
    fx.server = await startRedis();
    fx.client = new Redis(fx.server.url, clientOptions);
  });
  afterAll(async () => {
    fx.client?.disconnect();
    await fx.server?.dispose();
  });
  return fx;
}
