// Owns bulk loading a version into Redis and the atomic switch: the version's user keys are
// written beside the other versions' keys in pipelined batches (bounded in flight), their count
// is verified with batched EXISTS, then one MULTI writes the version's meta, adds it to the loaded
// versions and flips the active pointer. Versions with `keepOld` or more newer loaded versions
// are deleted afterwards (SCAN + UNLINK). A rerun of a crashed load overwrites the same keys.
// A shard of a version (LoadTable.shard) marks itself verified in the version's shards hash; the
// shard that completes the hash (all N, their users summing to the version's) does the switch.

import type { Redis } from 'ioredis';
import { checkTable, rowLength, type LoadTable, type ShardOutcome } from './load-table.js';
import { DEFAULT_PREFIX, encodeList, redisKeys } from './redis-keys.js';
import { batchStarts, forEachLimit } from '../util/pool.js';

export interface RedisLoadOptions {
  prefix?: string;
  /** Users per pipeline (default 1 000). */
  batch?: number;
  /** Pipelines in flight (default 4). */
  inFlight?: number;
  /** Older versions kept besides the new active one (default 1). */
  keepOld?: number;
  /** Called after each batch with users written so far. */
  onProgress?: (done: number) => void;
}

export interface RedisLoadResult extends ShardOutcome {
  users: number;
  seconds: number;
  deletedVersions: string[];
}

export async function loadRedis(client: Redis, t: LoadTable, o: RedisLoadOptions = {}): Promise<RedisLoadResult> {
  checkTable(t);
  const keys = redisKeys(o.prefix ?? DEFAULT_PREFIX);
  const batch = o.batch ?? 1_000;
  const started = performance.now();
  const n = t.userIds.length;
  let done = 0;
  await forEachLimit(batchStarts(n, batch), o.inFlight ?? 4, async (from) => {
    const to = Math.min(n, from + batch);
    const p = client.pipeline();
    for (let r = from; r < to; r++) p.set(keys.user(t.version, t.userIds[r]!), encodeList(t.items, t.scores, r * t.depth, rowLength(t, r)));
    const replies = (await p.exec()) ?? [];
    const failed = replies.find(([err]) => err);
    if (failed || replies.length !== to - from) throw new Error(`redis load: a SET failed: ${failed?.[0]?.message ?? 'missing replies'}`);
    done += to - from;
    o.onProgress?.(done);
  });

  const present = await countPresent(client, t, keys.user, batch * 5);
  if (present !== n) throw new Error(`redis load: ${present} of ${n} users of ${t.version} present after the load; the active version is unchanged`);
  const seconds = () => (performance.now() - started) / 1000;
  if (t.shard && (await client.get(keys.active)) === t.version) return { users: n, seconds: seconds(), deletedVersions: [], switched: true, progress: 'the version was already active' };
  if (t.shard) {
    const s = t.shard;
    const marks = await client.multi().hset(keys.shards(t.version), String(s.index), `${n}/${s.count}`).hgetall(keys.shards(t.version)).exec();
    const all = (marks?.[1]?.[1] ?? {}) as Record<string, string>;
    const other = Object.entries(all).find(([, v]) => v.split('/')[1] !== String(s.count));
    if (other)
      throw new Error(`redis load: shard ${other[0]} of ${t.version} was loaded as one of ${other[1].split('/')[1]} shards, this one as one of ${s.count}; load every shard with the same --shards`);
    const verified = Object.values(all).reduce((sum, v) => sum + Number(v.split('/')[0]), 0);
    if (Object.keys(all).length < s.count) return { users: n, seconds: seconds(), deletedVersions: [], switched: false, progress: `${Object.keys(all).length} of ${s.count} shards verified` };
    if (verified !== s.totalUsers) throw new Error(`redis load: the ${s.count} shards of ${t.version} verified ${verified} users, the version has ${s.totalUsers}; the active version is unchanged`);
  }

  const res = await client
    .multi()
    .hset(keys.meta(t.version), { users: t.shard?.totalUsers ?? n, depth: t.depth, loadedAt: new Date().toISOString() })
    .zadd(keys.versions, Date.now(), t.version)
    .set(keys.active, t.version)
    .del(keys.shards(t.version))
    .exec();
  if (!res || res.some(([err]) => err)) throw new Error('redis load: switching the active version failed');
  const deletedVersions = await pruneRedis(client, o.keepOld ?? 1, o.prefix);
  return { users: n, seconds: seconds(), deletedVersions, switched: true };
}

async function countPresent(client: Redis, t: LoadTable, userKey: (v: string, u: string) => string, batch: number): Promise<number> {
  let present = 0;
  for (let from = 0; from < t.userIds.length; from += batch) {
    const keys = t.userIds.slice(from, from + batch).map((u) => userKey(t.version, u));
    present += await client.exists(...keys);
  }
  return present;
}

/** Deletes every loaded version that has `keepOld` + 1 or more newer ones (never the active one). */
export async function pruneRedis(client: Redis, keepOld: number, prefix = DEFAULT_PREFIX): Promise<string[]> {
  const keys = redisKeys(prefix);
  const versions = await client.zrange(keys.versions, 0, -1); // oldest first
  const active = await client.get(keys.active);
  const doomed = versions.slice(0, Math.max(0, versions.length - 1 - keepOld)).filter((v) => v !== active);
  for (const v of doomed) {
    await client.multi().zrem(keys.versions, v).del(keys.meta(v)).exec(); // readers stop trusting it first
    await deleteMatching(client, keys.userPattern(v));
  }
  return doomed;
}

/** The active version and the loaded ones (oldest first). */
export async function redisVersions(client: Redis, prefix = DEFAULT_PREFIX): Promise<{ active: string | null; loaded: string[] }> {
  const keys = redisKeys(prefix);
  return { active: await client.get(keys.active), loaded: await client.zrange(keys.versions, 0, -1) };
}

async function deleteMatching(client: Redis, pattern: string): Promise<void> {
  const stream = client.scanStream({ match: pattern, count: 5_000 });
  for await (const chunk of stream as AsyncIterable<string[]>) if (chunk.length) await client.unlink(...chunk);
}
