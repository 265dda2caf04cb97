import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../../engine/index.js';
import { DEFAULT_OPTIONS } from '../pipeline/options.js';
import { silentProgress } from '../pipeline/progress.js';
import { AUTO_SPACE, autoTrials, autoTune } from './auto.js';

describe('train --auto', () => {
  it('tries the defaults first, then their log-confidence variant, then draws from its space', () => {
    const t = autoTrials(24, 1);
    expect(t).toHaveLength(24);
    expect(t.map((x) => x.id)).toEqual([...Array(24).keys()]);
    expect(t[0]!.params).toMatchObject({ rank: DEFAULT_OPTIONS.als.rank, regParam: DEFAULT_OPTIONS.als.regParam, confidence: DEFAULT_OPTIONS.als.confidence });
    expect(t[1]!.params).toMatchObject({ rank: DEFAULT_OPTIONS.als.rank, confidence: 'log' });
    for (const x of t.slice(2)) expect(AUTO_SPACE.rank).toContain(x.params.rank);
  });

  it('chooses the best trial on validation and hands back options with it, within its budget', async () => {
    const base = { ...structuredClone(DEFAULT_OPTIONS), dataset: { kind: 'synthetic' as const, preset: 'small' as const, seed: 3 }, modelsDir: mkdtempSync(join(tmpdir(), 'a-')) };
    const a = await autoTune(loadEngine(), base, { trials: 4, budgetSeconds: 600, seed: 1, concurrency: 2 }, silentProgress);
    const finished = a.result.results.filter((r) => !r.pruned);
    expect(a.result.best.score).toBe(Math.max(...finished.map((r) => r.score)));
    expect(a.options.als).toMatchObject(a.chosen.params);
    expect(a.options.feedback).toEqual(a.chosen.feedback);
    // A spent budget still finishes one trial (the defaults') and leaves the rest out.
    const b = await autoTune(loadEngine(), base, { trials: 4, budgetSeconds: 0, seed: 1, concurrency: 1 }, silentProgress);
    expect(b.chosen.id).toBe(0);
    await expect(autoTune(loadEngine(), { ...base, als: { ...base.als, implicitPrefs: false } }, { trials: 2, budgetSeconds: 1, seed: 1, concurrency: 1 }, silentProgress)).rejects.toThrow(
      /--auto searches implicit-feedback parameters/,
    );
  });
});
