// Owns how the service connects to Redis: an ioredis client that fails fast while the server is
// away (no offline queue, one retry per command) and reconnects by itself with a capped backoff,
// so requests are answered from the fallback during an outage and from Redis again after it.

import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnection {
  /** redis://[user:password@]host:port[/db] or rediss:// for TLS. */
  url: string;
  /** Extra ioredis options (tests shorten timeouts). */
  options?: RedisOptions;
}

export function createRedisClient(c: RedisConnection, purpose: 'serve' | 'load'): Redis {
  return new Redis(c.url, {
    connectionName: `recs-${purpose}`,
    enableOfflineQueue: purpose === 'load', // the loader waits for the server; serving never queues
    maxRetriesPerRequest: purpose === 'load' ? 20 : 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(50 * times, 1_000),
    ...c.options,
  });
}
