// The lifecycle loop with real training on the built-in synthetic set: a good v1 passes the gate,
// a deliberately worse v2 (rank 1, one iteration) is refused with a recorded reason, --force
// promotes it anyway, and rollback returns to v1.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../../engine/index.js';
import { main } from '../../cli/run.js';
import { DEFAULT_OPTIONS, type TrainOptions } from '../pipeline/options.js';
import { silentProgress } from '../pipeline/progress.js';
import { trainAndPublish as train } from './publish.js';
import { LocalRegistry } from '../registry.js';

const engine = loadEngine();
afterEach(() => vi.restoreAllMocks());

describe('model lifecycle with training', () => {
  it('gate promotes a good v1, refuses a worse v2, force promotes it, rollback returns to v1', async () => {
    const modelsDir = mkdtempSync(join(tmpdir(), 'lifecycle-'));
    const base: TrainOptions = {
      ...structuredClone(DEFAULT_OPTIONS),
      dataset: { kind: 'synthetic', preset: 'small', seed: 7 },
      beyondAccuracy: 'none',
      modelsDir,
      gate: { tolerance: 0.01 },
    };
    const reg = new LocalRegistry(modelsDir);

    const v1 = await train(engine, { ...base, als: { ...DEFAULT_OPTIONS.als, rank: 16, maxIter: 5 } }, silentProgress);
    expect(v1.gate).toMatchObject({ pass: true });
    expect(v1.activated).toBe(true);
    expect(reg.activeVersion()).toBe(v1.manifest.version);

    const v2 = await train(engine, { ...base, als: { ...DEFAULT_OPTIONS.als, rank: 1, maxIter: 1 } }, silentProgress);
    expect(v2.manifest.metrics['ndcg@10']!).toBeLessThan(v1.manifest.metrics['ndcg@10']! - 0.01);
    expect(v2.activated).toBe(false);
    expect(v2.gate?.pass).toBe(false);
    expect(v2.gate?.reason).toMatch(/ndcg@10 .* (is below the active|does not beat the popularity baseline)/);
    expect(reg.activeVersion()).toBe(v1.manifest.version);
    expect(reg.state(v2.manifest.version)).toBe('candidate');
    expect(reg.history().at(-1)).toMatchObject({ action: 'refuse', version: v2.manifest.version, reason: v2.gate!.reason });

    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['models', 'promote', v2.manifest.version, '--models-dir', modelsDir])).toBe(1);
    expect(reg.activeVersion()).toBe(v1.manifest.version);
    expect(await main(['models', 'promote', v2.manifest.version, '--force', '--models-dir', modelsDir])).toBe(0);
    expect(reg.activeVersion()).toBe(v2.manifest.version);
    expect(await main(['models', 'rollback', '--models-dir', modelsDir])).toBe(0);
    expect(reg.activeVersion()).toBe(v1.manifest.version);
    expect(reg.state(v2.manifest.version)).toBe('retired');
  });

  it('without the gate option, train still activates unconditionally', async () => {
    const modelsDir = mkdtempSync(join(tmpdir(), 'lifecycle-'));
    const o: TrainOptions = {
      ...structuredClone(DEFAULT_OPTIONS),
      dataset: { kind: 'synthetic', preset: 'small', seed: 7 },
      beyondAccuracy: 'none',
      modelsDir,
      evaluate: false,
      als: { ...DEFAULT_OPTIONS.als, rank: 1, maxIter: 1 },
    };
    const r = await train(engine, o, silentProgress);
    expect(r.gate).toBeUndefined();
    expect(new LocalRegistry(modelsDir).activeVersion()).toBe(r.manifest.version);
    expect(new LocalRegistry(modelsDir).history().at(-1)).toMatchObject({ action: 'activate', via: 'train' });
  });
});
