// Tests `recs load --shard I --shards N` (publish with a shard) against a real redis-server and
// the Cosmos DB test double: while any shard is missing the store's pointer stays on the old
// version; the shard that completes the version flips it; reruns of any shard are idempotent (no
// duplicate entries, the pointer stays); every user's stored list equals the artifact's (read whole).

import { describe, expect, it, vi } from 'vitest';
import { loadCommand } from '../../cli/commands/load.js';
import { fixtureRegistry, writeFixture } from '../../serve/testing/fixtures.js';
import { storeConfigFromEnv } from '../../store/config.js';
import { createCosmosClient, ensureContainer } from '../../store/cosmos-client.js';
import { userDocId, type UserDoc } from '../../store/cosmos-docs.js';
import { countVersion, readPointer } from '../../store/cosmos-load.js';
import { decodeList, redisKeys } from '../../store/redis-keys.js';
import { startCosmos } from '../../store/testing/cosmos-server.js';
import { useRedis } from '../../store/testing/use-redis.js';
import { readArtifact } from '../artifact.js';
import { silentProgress } from '../pipeline/progress.js';
import type { StoreLoadOptions } from '../pipeline/store-load.js';
import type { LocalRegistry } from '../registry.js';
import { publish } from './publish.js';

const redis = useRedis();

/** A registry with v0 (8 users) and v1 (20 users, the one loaded by shards). */
function registry(): LocalRegistry {
  const reg = fixtureRegistry('v0', { users: 8 });
  writeFixture(reg, 'v1', { users: 20, shift: 1 });
  return reg;
}

const shardLoad = (reg: LocalRegistry, load: StoreLoadOptions, index: number, count: number) => publish(reg, 'v1', { activate: false, load: { ...load, shard: { index, count } } }, silentProgress);

/** Each user's expected list (item ids) from the whole artifact. */
function expectedLists(reg: LocalRegistry, version: string): Map<string, string[]> {
  const a = readArtifact(reg.versionDir(version));
  const d = a.topk.depth;
  return new Map(
    a.userIds.map((u, r) => [
      u,
      Array.from(a.topk.items.subarray(r * d, (r + 1) * d))
        .filter((i) => i !== 0xffffffff)
        .map((i) => a.itemIds[i]!),
    ]),
  );
}

describe('sharded load into Redis', () => {
  it('flips the pointer only when the last shard is verified; reruns are idempotent', async () => {
    const reg = registry();
    const prefix = 'shard1';
    const keys = redisKeys(prefix);
    const load: StoreLoadOptions = { store: 'redis', config: storeConfigFromEnv({ RECS_REDIS_URL: redis.server.url, RECS_REDIS_PREFIX: prefix }, { kind: 'redis' }) };
    await publish(reg, 'v0', { activate: false, load }, silentProgress);
    expect(await redis.client.get(keys.active)).toBe('v0');

    for (const [i, progress] of [
      [0, '1 of 3 shards verified'],
      [2, '2 of 3 shards verified'],
      [0, '2 of 3 shards verified'], // a rerun
    ] as const) {
      const r = await shardLoad(reg, load, i, 3);
      expect(r).toMatchObject({ activated: false, load: { switched: false, shard: { index: i, count: 3, progress } } });
      expect(r.message).toBe(`shard ${i} of 3 loaded into redis; the store switches when every shard is (${progress})`);
      expect(await redis.client.get(keys.active)).toBe('v0'); // a partial load is never served
      expect(await redis.client.exists(keys.meta('v1'))).toBe(0);
    }
    await expect(shardLoad(reg, load, 1, 4)).rejects.toThrow(/was loaded as one of 3 shards, this one as one of 4; load every shard with the same --shards/);
    const last = await shardLoad(reg, load, 1, 3);
    expect(last.load).toMatchObject({ switched: true, users: 7, shard: { index: 1, count: 3 } });
    expect(await redis.client.get(keys.active)).toBe('v1');
    expect(await redis.client.hget(keys.meta('v1'), 'users')).toBe('20');
    expect(await redis.client.exists(keys.shards('v1'))).toBe(0);
    const a = readArtifact(reg.versionDir('v1'));
    for (const [user, items] of expectedLists(reg, 'v1')) {
      const list = decodeList('v1', (await redis.client.getBuffer(keys.user('v1', user)))!);
      expect(
        Array.from(list.items, (i) => a.itemIds[i]),
        user,
      ).toEqual(items);
    }
    // a rerun after the switch: the pointer stays
    expect((await shardLoad(reg, load, 2, 3)).load).toMatchObject({ switched: true, shard: { progress: 'the version was already active' } });
    expect(await redis.client.get(keys.active)).toBe('v1');
  });

  it('recs load --shard reads JOB_COMPLETION_INDEX and says the store waits', async () => {
    const reg = registry();
    const url = redis.server.url;
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.stubEnv('RECS_REDIS_PREFIX', 'shard2');
    vi.stubEnv('JOB_COMPLETION_INDEX', '1');
    try {
      expect(await loadCommand.run(['--store', 'redis', '--models-dir', reg.root, '--version', 'v1', '--redis-url', url, '--shards', '2', '--quiet'])).toBe(0);
      expect(log.mock.calls.at(-1)?.[0]).toMatch(
        /^loaded shard 1 of 2 of v1 into redis: 10 users in [\d.]+ s, \d+ users\/s; active version unchanged until every shard is loaded \(1 of 2 shards verified\)$/,
      );
      expect(await loadCommand.run(['--store', 'redis', '--models-dir', reg.root, '--version', 'v1', '--redis-url', url, '--shards', '2', '--shard', '0', '--quiet'])).toBe(0);
      expect(log.mock.calls.at(-1)?.[0]).toMatch(/^loaded shard 0 of 2 of v1 into redis: 10 users .*; active version v1$/);
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(await redis.client.get('shard2:active')).toBe('v1');
  });
});

describe('sharded load into Cosmos DB (test double)', () => {
  it('flips the pointer only once every user is present; reruns upsert, never duplicate', async () => {
    const cosmos = await startCosmos();
    try {
      const reg = registry();
      const config = storeConfigFromEnv({ RECS_COSMOS_ENDPOINT: cosmos.endpoint, RECS_COSMOS_KEY: 'test-key', RECS_COSMOS_CONTAINER: 'sharded' }, { kind: 'cosmos' });
      config.cosmos.agent = cosmos.agent;
      const load: StoreLoadOptions = { store: 'cosmos', config };
      const container = await ensureContainer(createCosmosClient(config.cosmos), config.cosmos);
      await publish(reg, 'v0', { activate: false, load }, silentProgress);
      for (const [i, progress] of [
        [3, '5 of 20 users present'],
        [0, '10 of 20 users present'],
        [3, '10 of 20 users present'], // a rerun
        [1, '15 of 20 users present'],
      ] as const) {
        const r = await shardLoad(reg, load, i, 4);
        expect(r).toMatchObject({ activated: false, load: { switched: false, users: 5, shard: { index: i, count: 4, progress } } });
        expect((await readPointer(container)).activeVersion).toBe('v0');
      }
      expect((await shardLoad(reg, load, 2, 4)).load).toMatchObject({ switched: true, users: 5 });
      const pointer = await readPointer(container);
      expect(pointer.activeVersion).toBe('v1');
      expect(pointer.versions.find((v) => v.version === 'v1')?.users).toBe(20);
      expect(await countVersion(container, 'v1')).toBe(20);
      for (const [user, items] of expectedLists(reg, 'v1')) {
        const { resource } = await container.item(userDocId('v1', user), userDocId('v1', user)).read<UserDoc>();
        expect(
          resource?.items.map((x) => x.itemId),
          user,
        ).toEqual(items);
      }
      expect((await shardLoad(reg, load, 0, 4)).load).toMatchObject({ switched: true });
      expect(await countVersion(container, 'v1')).toBe(20);
    } finally {
      await cosmos.close();
    }
  }, 60_000);
});
