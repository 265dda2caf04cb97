// `recs experiments` on a registry in Azure Blob Storage (a real Azurite, configured through
// RECS_REGISTRY and AZURE_STORAGE_CONNECTION_STRING): one machine creates an experiment, another
// sees and stops it, and a server following the blob registry downloads the variant's version,
// serves it to the users the hash assigns it, and reverts to the active version once stopped.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalRegistry } from '../../model/registry.js';
import { BlobObjectStore } from '../../model/registry/blob-store.js';
import { remoteSession } from '../../model/registry/open.js';
import { startAzurite, type TestAzurite } from '../../model/registry/testing/azurite.js';
import { startServer } from '../../serve/server.js';
import { capturedLogger, getJson, writeFixture } from '../../serve/testing/fixtures.js';
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

const cacheDir = () => join(mkdtempSync(join(tmpdir(), 'exp-blob-cli-')), 'models');

describe('recs experiments on a blob registry', () => {
  it('is created on one machine, seen and stopped on another, and served by a server following the blob', async () => {
    vi.stubEnv('AZURE_STORAGE_CONNECTION_STRING', azurite.connectionString);
    vi.stubEnv('RECS_REGISTRY', 'blob://cli-experiments/team-a');
    const store = new BlobObjectStore({ auth: { connectionString: azurite.connectionString }, container: 'cli-experiments', prefix: 'team-a' });
    await remoteSession(store, new LocalRegistry(cacheDir())).publish(async (reg) => {
      writeFixture(reg, 'v1');
      writeFixture(reg, 'v2', { shift: 1 });
      reg.activate('v1');
    });
    const a = ['--models-dir', cacheDir()];
    const b = ['--models-dir', cacheDir()];
    const c = capture();
    expect(await main(['experiments', 'create', 'blob-ab', '--variants', 'control=v1:0.5,treatment=v2:0.5', '--salt', 's', ...a])).toBe(0);
    expect(await main(['experiments', 'list', ...b])).toBe(0);
    expect(c.out()).toMatch(/blob-ab\s+running\s+control=v1:0\.5,treatment=v2:0\.5/);
    expect(JSON.parse((await store.get('EXPERIMENTS.json'))!.data.toString()).experiments[0]).toMatchObject({ name: 'blob-ab', salt: 's' });

    const server = await startServer({
      modelsDir: cacheDir(),
      remoteRegistry: store,
      remotePollMs: 100,
      experimentsPollMs: 100,
      port: 0,
      logger: capturedLogger().log,
      loadMode: 'inline',
      demo: false,
    });
    try {
      const seen = new Map<string, string>();
      for (let u = 0; u < 12; u++) {
        const r = await getJson(`${server.url}/v1/users/u${u}/recommendations?k=2`);
        expect(r.body.modelVersion).toBe(r.body.variant === 'control' ? 'v1' : 'v2');
        seen.set(r.body.variant, r.body.modelVersion);
      }
      expect(seen).toEqual(
        new Map([
          ['control', 'v1'],
          ['treatment', 'v2'],
        ]),
      );
      expect(await main(['experiments', 'stop', 'blob-ab', ...b])).toBe(0);
      let r = await getJson(`${server.url}/v1/users/u0/recommendations?k=2`);
      for (let i = 0; i < 100 && r.body.variant !== undefined; i++) {
        await new Promise((res) => setTimeout(res, 50));
        r = await getJson(`${server.url}/v1/users/u0/recommendations?k=2`);
      }
      expect(r.body).toMatchObject({ modelVersion: 'v1' });
      expect(r.body.variant).toBeUndefined();
    } finally {
      await server.close();
    }
  }, 60_000);
});
