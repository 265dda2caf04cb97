// `recs retrain --load` through the command: the version is loaded into a real redis-server
// (settings from RECS_REDIS_URL / RECS_REDIS_PREFIX) and promoted; a rerun does nothing; bad
// store settings are usage errors naming what is missing. And `recs retrain` on a registry in
// Azure Blob Storage (a real Azurite, configured through RECS_REGISTRY and
// AZURE_STORAGE_CONNECTION_STRING as the Kubernetes CronJob is): the version is pushed and made
// active in Blob; a rerun from another, empty cache (a new pod) trains nothing.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalRegistry } from '../../model/registry.js';
import { BlobObjectStore } from '../../model/registry/blob-store.js';
import { startAzurite, type TestAzurite } from '../../model/registry/testing/azurite.js';
import { redisKeys } from '../../store/redis-keys.js';
import { startRedis, type TestRedis } from '../../store/testing/redis-server.js';
import { UsageError } from '../command.js';
import { retrainCommand } from './retrain.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.dispose();
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function ratings(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'recs-retrain-cli-'));
  const file = join(dir, 'ratings.csv');
  const lines = ['user,item,rating,timestamp'];
  for (let u = 1; u <= 40; u++) for (let i = 1; i <= 25; i++) if ((u * 7 + i * 3) % 5 < 2 || (u + i) % 6 === 0) lines.push(`u${u},m${i},${1 + ((u + i) % 5)},${1_600_000_000 + u * 30 + i}`);
  writeFileSync(file, lines.join('\n') + '\n');
  return { dir, file };
}

async function runJson(argv: string[]): Promise<Record<string, any>> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  expect(await retrainCommand.run(argv)).toBe(0);
  const out = String(log.mock.calls.at(-1)![0]);
  log.mockRestore();
  return JSON.parse(out) as Record<string, any>;
}

describe('recs retrain --load', () => {
  it('loads the store, promotes, and does nothing on a rerun', async () => {
    const d = ratings();
    const models = join(d.dir, 'models');
    vi.stubEnv('RECS_REDIS_URL', redis.url);
    vi.stubEnv('RECS_REDIS_PREFIX', 'retraincli');
    const args = ['--file', d.file, '--models-dir', models, '--rank', '8', '--maxIter', '5', '--beyond', 'none', '--tolerance', '0.05', '--load', 'redis', '--json'];
    const r = await runJson(args);
    const reg = new LocalRegistry(models);
    if (!r.gate.pass) throw new Error(`the gate refused the first version of the fixture: ${r.gate.reason}`);
    expect(r).toMatchObject({ action: 'trained', active: r.version, load: { store: 'redis', version: r.version, users: 40 } });
    expect(reg.activeVersion()).toBe(r.version);
    const c = new Redis(redis.url);
    try {
      expect(await c.get(redisKeys('retraincli').active)).toBe(r.version);
      expect(await c.hget(redisKeys('retraincli').meta(r.version), 'users')).toBe('40');
    } finally {
      c.disconnect();
    }
    expect(await runJson(args)).toMatchObject({ action: 'unchanged', version: r.version });
  }, 60_000);

  it('refuses unknown stores and incomplete settings', async () => {
    await expect(retrainCommand.run(['--load', 'mongo'])).rejects.toBeInstanceOf(UsageError);
    vi.stubEnv('RECS_COSMOS_ENDPOINT', '');
    await expect(retrainCommand.run(['--load', 'cosmos'])).rejects.toThrow(/RECS_COSMOS_ENDPOINT/);
    await expect(retrainCommand.run(['--no-activate'])).rejects.toBeInstanceOf(UsageError);
    await expect(retrainCommand.run(['--load', 'redis', '--no-load'])).rejects.toThrow(new UsageError('--load and --no-load contradict each other'));
    await expect(retrainCommand.run(['--no-events', '--events-store', 'sqlite'])).rejects.toThrow(new UsageError('--no-events and --events-store contradict each other'));
  });

  it('loads the serving store RECS_STORE names without --load; --no-load skips it', async () => {
    const d = ratings();
    vi.stubEnv('RECS_STORE', 'redis');
    vi.stubEnv('RECS_REDIS_URL', redis.url);
    vi.stubEnv('RECS_REDIS_PREFIX', 'retraindefault');
    const args = ['--file', d.file, '--rank', '8', '--maxIter', '5', '--beyond', 'none', '--tolerance', '0.05', '--json'];
    const skipped = await runJson([...args, '--models-dir', join(d.dir, 'skip'), '--no-load']);
    expect(skipped.load).toBeUndefined();
    const r = await runJson([...args, '--models-dir', join(d.dir, 'models')]);
    expect(r).toMatchObject({ action: 'trained', active: r.version, load: { store: 'redis', version: r.version, users: 40 } });
    const c = new Redis(redis.url);
    try {
      expect(await c.get(redisKeys('retraindefault').active)).toBe(r.version);
    } finally {
      c.disconnect();
    }
  }, 60_000);
});

describe('recs retrain on a blob registry', () => {
  let azurite: TestAzurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  }, 30_000);
  afterAll(() => azurite?.dispose());

  it('pushes the version and moves the blob ACTIVE pointer; a new pod reruns without training', async () => {
    const { dir, file } = ratings();
    vi.stubEnv('AZURE_STORAGE_CONNECTION_STRING', azurite.connectionString);
    vi.stubEnv('RECS_REGISTRY', 'blob://retrain/prod');
    const common = ['--file', file, '--rank', '8', '--maxIter', '5', '--beyond', 'none', '--tolerance', '0.05', '--no-events', '--json'];
    const first = await runJson([...common, '--models-dir', join(dir, 'pod-a')]);
    if (!first.gate.pass) throw new Error(`the gate refused the first version of the fixture: ${first.gate.reason}`);
    expect(first).toMatchObject({ action: 'trained', active: first.version });
    const store = new BlobObjectStore({ auth: { connectionString: azurite.connectionString }, container: 'retrain', prefix: 'prod' });
    expect((await store.get('ACTIVE'))!.data.toString().trim()).toBe(first.version);
    expect(await store.get(`${first.version}/manifest.json`)).not.toBeNull();

    const again = await runJson([...common, '--models-dir', join(dir, 'pod-b')]);
    expect(again).toMatchObject({ action: 'unchanged', version: first.version, active: first.version });
  }, 90_000);
});
