import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadEngine } from '../../engine/index.js';
import { readArtifact } from '../artifact.js';
import { LocalRegistry } from '../registry.js';
import { DEFAULT_OPTIONS, PRESETS, type TrainOptions } from './options.js';
import { silentProgress } from './progress.js';
import { train } from './train.js';
import { publish } from '../lifecycle/publish.js';

const ML100K = resolve(__dirname, '../../../../shared/datasets/ml-100k');
const hasMl100k = existsSync(join(ML100K, 'u.data'));
if (!hasMl100k) console.warn(`train.test: ${ML100K} not found; the MovieLens 100K end-to-end tests are skipped`);

const engine = loadEngine();

function options(over: Partial<TrainOptions>): TrainOptions {
  return { ...structuredClone(DEFAULT_OPTIONS), modelsDir: mkdtempSync(join(tmpdir(), 'models-')), ...over };
}

describe('training pipeline', () => {
  it('trains offline on the built-in synthetic set, writes an artifact and report as a candidate; publish activates it', async () => {
    const o = options({ dataset: { kind: 'synthetic', preset: 'small', seed: 7 }, als: { ...DEFAULT_OPTIONS.als, rank: 16, maxIter: 5 } });
    const r = await train(engine, o, silentProgress);
    const registry = new LocalRegistry(o.modelsDir);
    expect(registry.activeVersion()).toBeNull(); // training stops at the written version
    expect(registry.state(r.manifest.version)).toBe('candidate');
    expect(await publish(registry, r.manifest.version, { activate: true }, silentProgress)).toMatchObject({ activated: true });
    expect(registry.activeVersion()).toBe(r.manifest.version);
    expect(r.manifest.metrics['ndcg@10']).toBeGreaterThan(r.manifest.baseline['ndcg@10']!);
    expect(readFileSync(r.reportPath, 'utf8')).toContain('<svg');
    const a = readArtifact(r.dir);
    expect(a.userIds.length).toBe(r.manifest.data.users);
    expect(a.topk.depth).toBe(30);
    expect(a.manifest.iterations).toHaveLength(5);
  });

  it.skipIf(!hasMl100k)('on MovieLens 100K: the reloaded artifact gives the same top-10 as the model in memory', async () => {
    const o = options({ dataset: { kind: 'movielens', size: '100k', dir: ML100K }, depth: 10, beyondAccuracy: 'none' });
    const r = await train(engine, o, silentProgress);
    expect(r.manifest.data).toMatchObject({ users: 943, items: 1682, interactions: 100_000 });
    expect(r.manifest.metrics['precision@10']).toBeGreaterThan(0.3);
    const a = readArtifact(r.dir);
    // Recompute from the stored factors, excluding each user's rated items.
    const all = { users: new Uint32Array(0), items: new Uint32Array(0) };
    const data = readFileSync(join(ML100K, 'u.data'), 'utf8').trim().split('\n');
    const uIndex = new Map(a.userIds.map((id, i) => [id, i]));
    const iIndex = new Map(a.itemIds.map((id, i) => [id, i]));
    all.users = Uint32Array.from(data, (l) => uIndex.get(l.split('\t')[0]!)!);
    all.items = Uint32Array.from(data, (l) => iIndex.get(l.split('\t')[1]!)!);
    const again = await engine.topK({ rank: a.rank, userFactors: a.userFactors, itemFactors: a.itemFactors }, { k: 10, exclude: all });
    expect(Array.from(again.items)).toEqual(Array.from(a.topk.items));
  });

  it.skipIf(!hasMl100k)('the o16n preset reproduces the reference notebook (explicit ALS, RMSE ≈ 0.95)', async () => {
    const o = PRESETS.o16n!.apply(options({ refit: false, beyondAccuracy: 'none' }));
    const r = await train(engine, { ...o, dataset: { kind: 'movielens', size: '100k', dir: ML100K } }, silentProgress);
    expect(r.manifest.metrics.rmse).toBeGreaterThan(0.9);
    expect(r.manifest.metrics.rmse).toBeLessThan(0.98);
    expect(r.manifest.params).toMatchObject({ rank: 10, maxIter: 15, regParam: 0.05, implicitPrefs: false });
  });
});
