// Tests the `load` command against a real redis-server: the registry's active version is loaded,
// the pointer flips and the final line reports users/s; bad arguments are usage errors.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixtureRegistry } from '../../serve/testing/fixtures.js';
import { startRedis, type TestRedis } from '../../store/testing/redis-server.js';
import { UsageError } from '../command.js';
import { loadCommand } from './load.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.dispose();
});

describe('recs load', () => {
  it('loads the active version into Redis and prints users/s', async () => {
    const registry = fixtureRegistry('v7');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await loadCommand.run(['--store', 'redis', '--models-dir', registry.root, '--redis-url', redis.url, '--quiet'])).toBe(0);
      expect(log.mock.calls.at(-1)?.[0]).toMatch(/^loaded v7 into redis: \d+ users in [\d.]+ s, \d+ users\/s; active version v7$/);
    } finally {
      log.mockRestore();
    }
    const c = new Redis(redis.url);
    expect(await c.get('recs:active')).toBe('v7');
    expect(Number(await c.hget('recs:v:v7:meta', 'users'))).toBeGreaterThan(0);
    c.disconnect();
  });

  it('refuses missing or bad options', async () => {
    await expect(loadCommand.run(['--store', 'mongo'])).rejects.toBeInstanceOf(UsageError);
    await expect(loadCommand.run(['--store', 'cosmos', '--models-dir', '/nonexistent'])).rejects.toThrow(/RECS_COSMOS_ENDPOINT/);
    expect(loadCommand.help).toMatch(/--keep-old/);
  });
});
