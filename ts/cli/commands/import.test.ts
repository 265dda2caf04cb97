// `recs import spark` end to end: the committed Spark-layout fixture becomes the active version of a
// registry and a real `recs serve` (a child process) answers from it; the same model read from Blob
// Storage (a real Azurite, with ADLS Gen2's directory marker blobs); usage errors.

import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { readArtifact } from '../../model/artifact.js';
import { LocalRegistry } from '../../model/registry.js';
import { BlobObjectStore } from '../../model/registry/blob-store.js';
import { startAzurite, type TestAzurite } from '../../model/registry/testing/azurite.js';
import { ensureBuilt, ROOT } from '../../serve/testing/build.js';
import { killServerChildren, startServerChild } from '../../serve/testing/child.js';
import { main } from '../run.js';
import { capture } from '../testing.js';

const FIXTURE = join(ROOT, 'ts', 'model', 'spark', 'fixtures', 'synthetic-als');
const args = (modelsDir: string, model = join(FIXTURE, 'model')) => [
  'import',
  'spark',
  '--model',
  model,
  '--interactions',
  join(FIXTURE, 'train.tsv'),
  '--test-file',
  join(FIXTURE, 'test.tsv'),
  '--models-dir',
  modelsDir,
  '--quiet',
];

let azurite: TestAzurite | undefined;
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  killServerChildren();
});
afterAll(() => azurite?.dispose());

describe('recs import spark', () => {
  it('turns the fixture into the active version, and recs serve answers from it without seen items', async () => {
    const [cliJs] = ensureBuilt(['ts/cli/main.js', 'ts/serve/load-worker.js']) as [string];
    const modelsDir = mkdtempSync(join(tmpdir(), 'import-cli-'));
    const c = capture();
    expect(await main(args(modelsDir))).toBe(0);
    expect(c.out()).toMatch(/gate {6}passed: ndcg@10 0\.\d{4} beats the popularity baseline/);
    const version = new LocalRegistry(modelsDir).activeVersion();
    expect(version).toMatch(/^v\d{8}-\d{6}-[0-9a-f]{6}$/);
    const a = readArtifact(join(modelsDir, version!));

    const { url } = await startServerChild(cliJs, ['serve', '--models-dir', modelsDir, '--port', '0'], { cwd: ROOT });
    for (const u of [0, 17, a.userIds.length - 1]) {
      const body = (await (await fetch(`${url}/v1/users/${encodeURIComponent(a.userIds[u]!)}/recommendations?k=10`)).json()) as { modelVersion: string; source: string; items: { itemId: string }[] };
      expect(body.modelVersion).toBe(version);
      expect(body.source).not.toBe('fallback');
      const expected = Array.from(a.topk.items.subarray(u * a.topk.depth, u * a.topk.depth + 10), (i) => a.itemIds[i]!);
      expect(body.items.map((x) => x.itemId)).toEqual(expected);
      const seen = new Set(Array.from(a.history!.items.subarray(a.history!.offsets[u]!, a.history!.offsets[u + 1]!), (i) => a.itemIds[i]!));
      expect(body.items.filter((x) => seen.has(x.itemId))).toEqual([]);
    }
  }, 120_000);

  it('reads the model from Blob Storage / ADLS Gen2 (blob://container/prefix)', async () => {
    azurite = await startAzurite();
    const store = new BlobObjectStore({ auth: { connectionString: azurite.connectionString }, container: 'spark-out', prefix: 'run-7/model' });
    const root = join(FIXTURE, 'model');
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
    for (const f of walk(root)) await store.putFile(relative(root, f), f);
    // ADLS Gen2 lists each directory as an empty blob of the directory's name.
    for (const d of ['metadata', 'userFactors', 'itemFactors', 'recs-ids', 'recs-ids/users']) await store.put(d, Buffer.alloc(0));
    vi.stubEnv('AZURE_STORAGE_CONNECTION_STRING', azurite.connectionString);
    const modelsDir = mkdtempSync(join(tmpdir(), 'import-blob-'));
    const c = capture();
    expect(await main([...args(modelsDir, 'blob://spark-out/run-7/model'), '--json'])).toBe(0);
    const out = JSON.parse(c.out()) as { activated: boolean; data: { source: string; users: number } };
    expect(out).toMatchObject({ activated: true, data: { source: 'spark ALSModel blob://spark-out/run-7/model', users: 240 } });
  }, 60_000);

  it('explains usage errors', async () => {
    const c = capture();
    expect(await main(['import'])).toBe(2);
    expect(c.err()).toMatch(/what to import: recs import spark --model PATH/);
    expect(await main(['import', 'spark'])).toBe(2);
    expect(c.err()).toMatch(/--model PATH is required/);
    expect(await main(['import', 'spark', '--model', FIXTURE, '--test-file', 'x.tsv'])).toBe(2);
    expect(c.err()).toMatch(/--test-file needs --interactions FILE/);
    expect(await main(['import', 'spark', '--model', join(tmpdir(), 'no-such-model')])).toBe(1);
    expect(c.err()).toMatch(/no-such-model\/metadata: missing; .* is not a saved Spark model/);
  });
});
