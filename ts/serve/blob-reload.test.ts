// A real running server following a registry in Azure Blob Storage (a real Azurite): it starts
// from an empty cache with the active version downloaded from Blob, hot-swaps a version promoted
// in Blob by another machine while clients keep querying (no failed request), refuses a version
// whose blob is corrupt (the current one keeps serving) and follows the pointer again after.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRegistry } from '../model/registry.js';
import { BlobObjectStore } from '../model/registry/blob-store.js';
import { remoteSession, type RegistrySession } from '../model/registry/open.js';
import { startAzurite, type TestAzurite } from '../model/registry/testing/azurite.js';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, getJson, writeFixture } from './testing/fixtures.js';
import { clients as startClients, until as waitUntil } from './testing/load.js';

let azurite: TestAzurite;
let server: RunningServer;
let trainer: RegistrySession;
let operator: RegistrySession;
let cache: string;
const logs = capturedLogger();
/** The score of user u3's first item, per version (fixtures shift the scores per version). */
const SHIFT: Record<string, number> = { v1: 0, v2: 0.5, v3: 0.75, v4: 0.25 };

const store = () => new BlobObjectStore({ auth: { connectionString: azurite.connectionString }, container: 'models', prefix: 'recs' });
const tempRegistry = () => new LocalRegistry(join(mkdtempSync(join(tmpdir(), 'recs-blob-')), 'models'));

beforeAll(async () => {
  azurite = await startAzurite();
  trainer = remoteSession(store(), tempRegistry());
  operator = remoteSession(store(), tempRegistry());
  await trainer.publish(async (reg) => {
    writeFixture(reg, 'v1');
    reg.activate('v1', { via: 'train' });
  });
  cache = join(mkdtempSync(join(tmpdir(), 'recs-serve-blob-')), 'models');
  server = await startServer({ modelsDir: cache, remoteRegistry: store(), remotePollMs: 100, reloadPollMs: 100, port: 0, logger: logs.log, loadMode: 'inline' });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await azurite?.dispose();
});

const clients = (n: number) => startClients(server.url, n, SHIFT);
const until = (cond: () => boolean) => waitUntil(cond, 15_000);

describe('serving from a blob registry', () => {
  it('starts from an empty cache with the active version downloaded from Blob', async () => {
    expect(server.modelVersion()).toBe('v1');
    const r = await getJson(`${server.url}/v1/users/u3/recommendations?k=2`);
    expect(r.status).toBe(200);
    expect(r.body.modelVersion).toBe('v1');
    expect(new LocalRegistry(cache).activeVersion()).toBe('v1');
  });

  it('hot-swaps a version promoted in Blob by another machine, with zero failed requests', async () => {
    const c = clients(4);
    await until(() => c.count('v1') >= 20);
    await trainer.publish(async (reg) => void writeFixture(reg, 'v2', { shift: 0.5 }));
    await operator.change((reg) => reg.promote('v2'), { fetch: () => ['v2'] });
    await until(() => c.count('v2') >= 40);
    const seen = await c.stop();
    const all = seen.flat();
    expect(all.filter((s) => s.status !== 200 || !s.consistent)).toEqual([]);
    for (const log of seen) {
      const versions = log.map((s) => s.version);
      const first = versions.indexOf('v2');
      expect(first).toBeGreaterThan(0);
      expect(versions.slice(first).every((v) => v === 'v2')).toBe(true);
    }
    expect(logs.lines().some((l) => l['msg'] === 'downloading the new active model from the registry' && l['version'] === 'v2')).toBe(true);
  });

  it('refuses a version whose blob is corrupt; the current one keeps serving, then follows the next promotion', async () => {
    // v3 is uploaded intact, then one of its blobs rots in storage; the trainer's own copy is
    // intact, so its promotion passes its local checksum check and moves the pointer in Blob
    await trainer.publish(async (reg) => void writeFixture(reg, 'v3', { shift: 0.75 }));
    const s = store();
    const blob = (await s.get('v3/topk-items.u32'))!.data;
    blob[8] = blob[8]! ^ 0xff;
    await s.put('v3/topk-items.u32', blob);
    const c = clients(4);
    await until(() => c.count('v2') >= 10);
    await trainer.change((reg) => reg.promote('v3'));
    await until(() => logs.lines().some((l) => l['msg'] === 'refused the active model in the registry; the current one keeps serving'));
    const after = c.count('v2');
    await until(() => c.count('v2') >= after + 20);
    // the refusal is logged once, not on every ETag check
    await new Promise((r) => setTimeout(r, 400));
    expect(logs.lines().filter((l) => l['msg'] === 'refused the active model in the registry; the current one keeps serving')).toHaveLength(1);
    const refusal = logs.lines().find((l) => l['msg'] === 'refused the active model in the registry; the current one keeps serving')!;
    expect(refusal['version']).toBe('v3');
    expect(JSON.stringify(refusal['err'])).toMatch(/v3\/topk-items\.u32: checksum mismatch \(corrupt blob\); refused/);
    expect(existsSync(join(cache, 'v3'))).toBe(false);
    expect(server.modelVersion()).toBe('v2');

    await trainer.publish(async (reg) => void writeFixture(reg, 'v4', { shift: 0.25 }));
    await operator.change((reg) => reg.promote('v4'), { fetch: () => ['v4'] });
    await until(() => c.count('v4') >= 20);
    const all = (await c.stop()).flat();
    expect(all.filter((s) => s.status !== 200 || !s.consistent)).toEqual([]);
    expect(all.some((s) => s.version === 'v3')).toBe(false);
    expect(server.modelVersion()).toBe('v4');
    // the cache keeps the serving version and the one it replaced; older downloads are removed
    expect(['v1', 'v2', 'v4'].map((v) => existsSync(join(cache, v)))).toEqual([false, true, true]);
  });
});
