// The retrain loop on the built-in synthetic set: trains and promotes once, changes nothing when
// rerun on the same data, and gates a version a crashed run left ungated.

import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../../engine/index.js';
import { DEFAULT_OPTIONS, type TrainOptions } from '../pipeline/options.js';
import { silentProgress } from '../pipeline/progress.js';
import { train } from '../pipeline/train.js';
import { LocalRegistry } from '../registry.js';
import { retrain } from './retrain.js';

const engine = loadEngine();

function options(modelsDir: string, seed = 7): TrainOptions {
  return { ...structuredClone(DEFAULT_OPTIONS), dataset: { kind: 'synthetic', preset: 'small', seed }, beyondAccuracy: 'none', modelsDir, als: { ...DEFAULT_OPTIONS.als, rank: 8, maxIter: 3 } };
}

describe('retrain', () => {
  it('trains and promotes, then does nothing when rerun on the same data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retrain-'));
    const reg = new LocalRegistry(dir);
    const first = await retrain(engine, options(dir), silentProgress);
    expect(first).toMatchObject({ action: 'trained', gate: { pass: true } });
    expect(reg.activeVersion()).toBe(first.version);
    const again = await retrain(engine, options(dir), silentProgress);
    expect(again).toMatchObject({ action: 'unchanged', version: first.version });
    expect(again.message).toMatch(/already active/);
    expect(reg.versionNames()).toHaveLength(1);
    // New data: a new version, gated against the active one.
    const other = await retrain(engine, options(dir, 8), silentProgress);
    expect(other.action).toBe('trained');
    expect(other.version).not.toBe(first.version);
    expect(reg.versionNames()).toHaveLength(2);
  });

  it('treats another --algorithm on the same data as new work, and its rerun as done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retrain-'));
    const first = await retrain(engine, options(dir), silentProgress);
    const ease = { ...options(dir), algorithm: { name: 'ease', params: { regParam: 250, maxItems: 10_000 } } };
    const other = await retrain(engine, ease, silentProgress);
    expect(other.action).toBe('trained');
    expect(other.version).not.toBe(first.version);
    const again = await retrain(engine, ease, silentProgress);
    expect(again).toMatchObject({ action: 'unchanged' });
  });

  it('gates a version that a crashed run wrote but never gated, and does not regate a refused one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retrain-'));
    const reg = new LocalRegistry(dir);
    const written = await train(engine, { ...options(dir), activate: false }, silentProgress);
    expect(reg.activeVersion()).toBeNull();
    const resumed = await retrain(engine, options(dir), silentProgress);
    expect(resumed).toMatchObject({ action: 'resumed', version: written.manifest.version, gate: { pass: true } });
    expect(reg.activeVersion()).toBe(written.manifest.version);

    const worse = { ...options(dir), als: { ...DEFAULT_OPTIONS.als, rank: 1, maxIter: 1 } };
    const refused = await retrain(engine, worse, silentProgress);
    expect(refused).toMatchObject({ action: 'trained', gate: { pass: false } });
    expect(reg.activeVersion()).toBe(written.manifest.version);
    const rerun = await retrain(engine, worse, silentProgress);
    expect(rerun).toMatchObject({ action: 'unchanged', version: refused.version });
    expect(rerun.message).toMatch(/refused by the gate/);
    expect(reg.versionNames()).toHaveLength(2);
  });
});
