// `recs retrain` on a registry in Azure Blob Storage (a real Azurite, configured through
// RECS_REGISTRY and AZURE_STORAGE_CONNECTION_STRING as the Kubernetes CronJob is): the version is
// trained in one cache, pushed and made active in Blob; a rerun from another, empty cache (a new
// pod) finds the same fingerprint there and trains nothing.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BlobObjectStore } from '../../model/registry/blob-store.js';
import { startAzurite, type TestAzurite } from '../../model/registry/testing/azurite.js';
import { retrainCommand } from './retrain.js';

let azurite: TestAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 30_000);
afterAll(() => azurite?.dispose());
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function ratings(dir: string): string {
  const file = join(dir, 'ratings.csv');
  const lines = ['user,item,rating,timestamp'];
  for (let u = 1; u <= 40; u++) for (let i = 1; i <= 25; i++) if ((u * 7 + i * 3) % 5 < 2 || (u + i) % 6 === 0) lines.push(`u${u},m${i},${1 + ((u + i) % 5)},${1_600_000_000 + u * 30 + i}`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function runJson(argv: string[]): Promise<Record<string, any>> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  expect(await retrainCommand.run(argv)).toBe(0);
  const out = String(log.mock.calls.at(-1)![0]);
  log.mockRestore();
  return JSON.parse(out) as Record<string, any>;
}

describe('recs retrain on a blob registry', () => {
  it('pushes the version and moves the blob ACTIVE pointer; a new pod reruns without training', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recs-retrain-blob-'));
    const file = ratings(dir);
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
