// `retrain` with a serving store, against a real redis-server (and the Cosmos DB emulator over TLS
// for the Cosmos path): the new version's lists are loaded
// before the registry's active pointer flips; a rerun after a crash between the load and the
// promotion loads again (same keys) and promotes, with no duplicate version anywhere; a version the
// gate refuses never reaches the store.

import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../../engine/index.js';
import { storeConfigFromEnv } from '../../store/config.js';
import { createCosmosClient, ensureContainer } from '../../store/cosmos-client.js';
import { countVersion, readPointer } from '../../store/cosmos-load.js';
import { startCosmos } from '../../store/testing/cosmos-server.js';
import { tableOfArtifact } from '../../store/load-table.js';
import { decodeList, redisKeys } from '../../store/redis-keys.js';
import { useRedis } from '../../store/testing/use-redis.js';
import { readArtifact } from '../artifact.js';
import { DEFAULT_OPTIONS, type TrainOptions } from '../pipeline/options.js';
import { silentProgress } from '../pipeline/progress.js';
import { loadIntoStore } from '../pipeline/store-load.js';
import { train } from '../pipeline/train.js';
import { LocalRegistry } from '../registry.js';
import { retrain } from './retrain.js';

const engine = loadEngine();
const redis = useRedis();

function options(modelsDir: string, prefix: string, over: Partial<TrainOptions['als']> = {}): TrainOptions {
  return {
    ...structuredClone(DEFAULT_OPTIONS),
    dataset: { kind: 'synthetic', preset: 'small', seed: 7 },
    beyondAccuracy: 'none',
    modelsDir,
    als: { ...DEFAULT_OPTIONS.als, rank: 8, maxIter: 3, ...over },
    load: { store: 'redis', config: storeConfigFromEnv({ RECS_REDIS_URL: redis.server.url, RECS_REDIS_PREFIX: prefix }, { kind: 'redis' }) },
  };
}

/** Every user key of `version` under `prefix`. */
async function userKeys(prefix: string, version: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.client.scan(cursor, 'MATCH', redisKeys(prefix).userPattern(version), 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** The store holds exactly the artifact's lists for `version` (an independent read of both). */
async function expectStoreHolds(prefix: string, modelsDir: string, version: string): Promise<void> {
  const a = readArtifact(join(modelsDir, version));
  const keys = redisKeys(prefix);
  expect(await redis.client.hget(keys.meta(version), 'users')).toBe(String(a.userIds.length));
  expect(await userKeys(prefix, version)).toHaveLength(a.userIds.length);
  for (const row of [0, 1, Math.floor(a.userIds.length / 2), a.userIds.length - 1]) {
    const list = decodeList(version, (await redis.client.getBuffer(keys.user(version, a.userIds[row]!)))!);
    const depth = a.topk.depth;
    const expected = Array.from(a.topk.items.subarray(row * depth, (row + 1) * depth)).filter((i) => i !== 0xffffffff);
    expect(Array.from(list.items)).toEqual(expected);
  }
}

describe('retrain --load redis', () => {
  it('loads the store before promoting, does nothing on a rerun, and never loads a refused version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retrain-load-'));
    const reg = new LocalRegistry(dir);
    const prefix = 'rt1';
    const first = await retrain(engine, options(dir, prefix), silentProgress);
    expect(first).toMatchObject({ action: 'trained', gate: { pass: true }, load: { store: 'redis', version: first.version } });
    expect(reg.activeVersion()).toBe(first.version);
    expect(await redis.client.get(redisKeys(prefix).active)).toBe(first.version);
    await expectStoreHolds(prefix, dir, first.version);
    // the store's load completed before the registry's switch
    const loadedAt = Date.parse((await redis.client.hget(redisKeys(prefix).meta(first.version), 'loadedAt'))!);
    const activated = reg.history().find((e) => e.action === 'activate' && e.version === first.version)!;
    expect(loadedAt).toBeLessThanOrEqual(Date.parse(activated.at));

    const again = await retrain(engine, options(dir, prefix), silentProgress);
    expect(again).toMatchObject({ action: 'unchanged', version: first.version });
    expect(again.load).toBeUndefined();

    // a worse version: refused by the gate, and the store is not touched
    const worse = await retrain(engine, options(dir, prefix, { rank: 1, maxIter: 1 }), silentProgress);
    expect(worse).toMatchObject({ action: 'trained', gate: { pass: false } });
    expect(worse.load).toBeUndefined();
    expect(reg.activeVersion()).toBe(first.version);
    expect(await redis.client.get(redisKeys(prefix).active)).toBe(first.version);
    expect(await redis.client.exists(redisKeys(prefix).meta(worse.version))).toBe(0);
    expect(await userKeys(prefix, worse.version)).toEqual([]);
    expect(await redis.client.zrange(redisKeys(prefix).versions, 0, -1)).toEqual([first.version]);
  });

  it('after a crash between the store load and the promotion, the rerun loads again and promotes, without duplicates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retrain-load-'));
    const reg = new LocalRegistry(dir);
    const prefix = 'rt2';
    const o = options(dir, prefix);
    // What a run that crashed right after its store load leaves behind: a written, undecided
    // version, fully loaded into the store, and the registry's pointer not moved.
    const { load: _load, ...noLoad } = o;
    const written = await train(engine, { ...noLoad, activate: false }, silentProgress);
    const v = written.manifest.version;
    await loadIntoStore(tableOfArtifact(readArtifact(written.dir)), o.load!, silentProgress);
    expect(reg.activeVersion()).toBeNull();
    expect(reg.state(v)).toBe('candidate');

    const resumed = await retrain(engine, o, silentProgress);
    expect(resumed).toMatchObject({ action: 'resumed', version: v, gate: { pass: true }, load: { store: 'redis', version: v } });
    expect(reg.activeVersion()).toBe(v);
    expect(reg.versionNames()).toEqual([v]);
    expect(await redis.client.zrange(redisKeys(prefix).versions, 0, -1)).toEqual([v]);
    await expectStoreHolds(prefix, dir, v);
    expect(reg.history().filter((e) => e.action === 'activate' && e.version === v)).toHaveLength(1);

    const rerun = await retrain(engine, o, silentProgress);
    expect(rerun).toMatchObject({ action: 'unchanged', version: v, active: v });
    expect(reg.versionNames()).toEqual([v]);
  });
});

describe('retrain --load cosmos', () => {
  it('loads the version into Cosmos DB before promoting it; a crash-resumed rerun loads again without duplicates', async () => {
    const cosmos = await startCosmos();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'retrain-cosmos-'));
      const reg = new LocalRegistry(dir);
      const config = storeConfigFromEnv({ RECS_COSMOS_ENDPOINT: cosmos.endpoint, RECS_COSMOS_KEY: 'test-key', RECS_COSMOS_CONTAINER: 'retrain' }, { kind: 'cosmos' });
      config.cosmos.agent = cosmos.agent;
      const o: TrainOptions = { ...options(dir, 'unused'), load: { store: 'cosmos', config } };
      const container = await ensureContainer(createCosmosClient(config.cosmos), config.cosmos);

      // a crash right after the load: loaded, never promoted
      const { load: _load, ...noLoad } = o;
      const written = await train(engine, { ...noLoad, activate: false }, silentProgress);
      const v = written.manifest.version;
      await loadIntoStore(tableOfArtifact(readArtifact(written.dir)), o.load!, silentProgress);
      expect(reg.activeVersion()).toBeNull();

      const resumed = await retrain(engine, o, silentProgress);
      expect(resumed).toMatchObject({ action: 'resumed', version: v, gate: { pass: true }, load: { store: 'cosmos', version: v } });
      expect(reg.activeVersion()).toBe(v);
      expect(reg.versionNames()).toEqual([v]);
      expect(await countVersion(container, v)).toBe(written.manifest.data.users);
      expect(await readPointer(container)).toMatchObject({ activeVersion: v });
      expect((await readPointer(container)).versions.map((x) => x.version)).toEqual([v]);
    } finally {
      await cosmos.close();
    }
  }, 60_000);
});
