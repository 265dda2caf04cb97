// `recs models` and `recs train` on a registry in Azure Blob Storage (a real Azurite, configured
// through RECS_REGISTRY and AZURE_STORAGE_CONNECTION_STRING as a deployment would): two machines
// with their own caches see and change the same registry.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeTiny } from '../../model/lifecycle/testing.js';
import { LocalRegistry } from '../../model/registry.js';
import { BlobObjectStore } from '../../model/registry/blob-store.js';
import { remoteSession } from '../../model/registry/open.js';
import { startAzurite, type TestAzurite } from '../../model/registry/testing/azurite.js';
import { main } from '../run.js';
import { capture } from '../testing.js';

let azurite: TestAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 30_000);
afterAll(() => azurite?.dispose());
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const cacheDir = () => mkdtempSync(join(tmpdir(), 'models-blob-cli-'));

describe('recs models on a blob registry', () => {
  it('lists, promotes, refuses a corrupt upload, rolls back and collects garbage from two caches', async () => {
    vi.stubEnv('AZURE_STORAGE_CONNECTION_STRING', azurite.connectionString);
    vi.stubEnv('RECS_REGISTRY', 'blob://cli-models/team-a');
    const store = new BlobObjectStore({ auth: { connectionString: azurite.connectionString }, container: 'cli-models', prefix: 'team-a' });
    // a trainer machine registers three versions
    const trainer = new LocalRegistry(cacheDir());
    await remoteSession(store, trainer).publish(async (reg) => {
      writeTiny(reg, 'v1');
      writeTiny(reg, 'v2', { metrics: { 'ndcg@10': 0.5 } });
      writeTiny(reg, 'v3');
    });
    const a = ['--models-dir', cacheDir()];
    const b = ['--models-dir', cacheDir()];
    const c = capture();
    expect(await main(['models', 'list', ...a])).toBe(0);
    expect(c.out()).toMatch(/v1\s+candidate[\s\S]*v2\s+candidate[\s\S]*v3\s+candidate/);
    expect(await main(['models', 'promote', 'v1', ...a])).toBe(0);
    expect(await main(['models', 'promote', 'v2', ...b])).toBe(0);
    expect(c.out()).toMatch(/promoted v2: ndcg@10 0\.5000 ≥ the active v1's 0\.4000/);
    expect((await store.get('ACTIVE'))!.data.toString()).toBe('v2\n');

    // v3's factors rot in Blob: promote names the blob, and v2 stays active
    const blob = (await store.get('v3/item-factors.f32'))!.data;
    blob[blob.length - 1] = blob[blob.length - 1]! ^ 0xff;
    await store.put('v3/item-factors.f32', blob);
    expect(await main(['models', 'promote', 'v3', '--force', ...a])).toBe(1);
    expect(c.err()).toMatch(/recs models: .*team-a\/v3\/item-factors\.f32: checksum mismatch \(corrupt blob\); refused/);
    expect(await main(['models', 'show', 'v2', '--json', ...a])).toBe(0);
    expect(c.out()).toMatch(/"state": "active"/);

    expect(await main(['models', 'rollback', ...a])).toBe(0);
    expect(c.out()).toMatch(/rolled back from v2 to v1/);
    expect(await main(['models', 'gc', '--keep', '0', ...b])).toBe(0);
    expect(c.out()).toMatch(/deleted 1: v3/);
    expect(await main(['models', 'list', '--json', ...b])).toBe(0);
    const listed = JSON.parse(c.out().slice(c.out().lastIndexOf('[\n'))) as Array<{ version: string; state: string }>;
    expect(listed.map((i) => [i.version, i.state])).toEqual([
      ['v1', 'active'],
      ['v2', 'retired'],
    ]);
    expect(await store.list('v3/')).toEqual([]);
    expect(await main(['models', 'show', 'v9', ...b])).toBe(1);
    expect(c.err()).toMatch(/unknown model version "v9"; known: v1, v2/);
  });

  it('trains into the blob registry: the new version is uploaded and made active there', async () => {
    vi.stubEnv('AZURE_STORAGE_CONNECTION_STRING', azurite.connectionString);
    const dir = cacheDir();
    const file = join(dir, 'ratings.csv');
    const lines = ['user,item,rating'];
    for (let u = 1; u <= 15; u++) for (let i = 1; i <= 12; i++) if ((u * 5 + i * 3) % 4 !== 0) lines.push(`u${u},m${i},${1 + ((u + i) % 5)}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const c = capture();
    const trainerCache = join(dir, 'models');
    expect(await main(['train', '--file', file, '--rank', '4', '--maxIter', '2', '--no-evaluate', '--depth', '5', '--quiet', '--registry', 'blob://cli-train', '--models-dir', trainerCache])).toBe(0);
    const version = new LocalRegistry(trainerCache).activeVersion()!;
    expect(version).toMatch(/^v\d{8}-/);
    const store = new BlobObjectStore({ auth: { connectionString: azurite.connectionString }, container: 'cli-train', prefix: '' });
    expect((await store.get('ACTIVE'))!.data.toString()).toBe(`${version}\n`);
    expect(await main(['models', 'list', '--registry', 'blob://cli-train', '--models-dir', cacheDir()])).toBe(0);
    expect(c.out()).toMatch(new RegExp(`${version}\\s+active`));
  });

  it('says what is missing when the blob account is not configured', async () => {
    vi.stubEnv('AZURE_STORAGE_CONNECTION_STRING', '');
    vi.stubEnv('RECS_BLOB_ACCOUNT_URL', '');
    const c = capture();
    expect(await main(['models', 'list', '--registry', 'blob://models', '--models-dir', cacheDir()])).toBe(1);
    expect(c.err()).toMatch(/a blob registry \(blob:\/\/models\) needs AZURE_STORAGE_CONNECTION_STRING or RECS_BLOB_ACCOUNT_URL/);
  });
});
