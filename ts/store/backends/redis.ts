// Owns the Redis back end: settings (RECS_REDIS_URL / --redis-url, RECS_REDIS_PREFIX), stores that
// read a version's lists by key (../redis.ts) and the versioned bulk load (../redis-load.ts).

import { usersPerSecond, type StoreBackend } from '../backend.js';
import { IdIndex } from '../embedded-ids.js';
import { createRedisClient } from '../redis-client.js';
import { shardOutcome } from '../load-table.js';
import { loadRedis } from '../redis-load.js';
import { RedisStore } from '../redis.js';

export interface RedisSettings {
  url: string;
  prefix: string;
}

export const redisBackend: StoreBackend<RedisSettings, 'redis'> = {
  kind: 'redis',
  summary: 'Redis (or a compatible server): lists loaded by `recs load`, shared by every replica',
  remote: true,
  loadDefaults: { batch: 1000, concurrency: 4 },
  settings: (env, flags) => ({ url: flags['redisUrl'] ?? env['RECS_REDIS_URL'] ?? 'redis://127.0.0.1:6379', prefix: env['RECS_REDIS_PREFIX'] || 'recs' }),
  factory: (s, common) => (p) => {
    const users = new IdIndex(p.table.users);
    const userIdAt = (row: number) => (Number.isInteger(row) && row >= 0 && row < users.size ? users.idAt(row) : undefined);
    return new RedisStore({ modelVersion: p.manifest.version, depth: p.table.depth, userIdAt, timeoutMs: common.timeoutMs, url: s.url, prefix: s.prefix });
  },
  async load(s, table, o) {
    const client = createRedisClient({ url: s.url }, 'load');
    try {
      const r = await loadRedis(client, table, {
        prefix: s.prefix,
        keepOld: o.keepOld ?? 1,
        batch: o.batch ?? 1000,
        inFlight: o.concurrency ?? 4,
        ...(o.onProgress && { onProgress: (d: number) => o.onProgress!(d) }),
      });
      return {
        store: 'redis',
        version: table.version,
        users: r.users,
        seconds: r.seconds,
        usersPerSecond: usersPerSecond(r.users, r.seconds),
        deletedVersions: r.deletedVersions,
        ...shardOutcome(table, r),
      };
    } finally {
      client.disconnect();
    }
  },
};
