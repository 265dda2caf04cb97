import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../../engine/index.js';
import { DEFAULT_OPTIONS } from '../pipeline/options.js';
import { silentProgress } from '../pipeline/progress.js';
import { AUTO_SPACE, autoTrials, autoTune, refineTrials } from './auto.js';

describe('train --auto', () => {
  it('tries the defaults first, then their log-confidence variant, then draws from its space', () => {
    const t = autoTrials(24, 1);
    expect(t).toHaveLength(24);
    expect(t.map((x) => x.id)).toEqual([...Array(24).keys()]);
    expect(t[0]!.params).toMatchObject({ rank: DEFAULT_OPTIONS.als.rank, regParam: DEFAULT_OPTIONS.als.regParam, confidence: DEFAULT_OPTIONS.als.confidence });
    expect(t[1]!.params).toMatchObject({ rank: DEFAULT_OPTIONS.als.rank, confidence: 'log' });
    for (const x of t.slice(2)) expect(AUTO_SPACE.rank).toContain(x.params.rank);
  });

  it('refines a trial by halving and doubling α and λ, one at a time, keeping the rest', () => {
    const t = { id: 3, params: { rank: 64, alpha: 0.7219, regParam: 0.3193, confidence: 'log' as const }, feedback: { kind: 'binary' as const } };
    const n = refineTrials(t, 30);
    expect(n.map((x) => x.id)).toEqual([30, 31, 32, 33]);
    expect(n.map((x) => [x.params.alpha, x.params.regParam])).toEqual([
      [0.3609, 0.3193],
      [0.7219, 0.1596],
      [1.444, 0.3193],
      [0.7219, 0.6386],
    ]);
    for (const x of n) expect(x).toMatchObject({ params: { rank: 64, confidence: 'log' }, feedback: { kind: 'binary' } });
  });

  it('chooses the best trial on validation and hands back options with it, within its budget', async () => {
    const base = { ...structuredClone(DEFAULT_OPTIONS), dataset: { kind: 'synthetic' as const, preset: 'small' as const, seed: 3 }, modelsDir: mkdtempSync(join(tmpdir(), 'a-')) };
    const a = await autoTune(loadEngine(), base, { trials: 3, budgetSeconds: 600, seed: 1, concurrency: 2, refineRounds: 1 }, silentProgress);
    const finished = a.result.results.filter((r) => !r.pruned);
    expect(a.result.best.score).toBe(Math.max(...finished.map((r) => r.score)));
    // The random search's 3 trials, then a round of 4 refinement fits around the best (never pruned).
    expect(a.result.results.map((r) => r.trial.id).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(a.result.results.filter((r) => r.trial.id >= 3).every((r) => !r.pruned)).toBe(true);
    const searched = a.result.results.filter((r) => r.trial.id < 3 && !r.pruned).reduce((b, r) => (r.score > b.score ? r : b));
    const refined = a.result.results.filter((r) => r.trial.id >= 3).sort((x, y) => x.trial.id - y.trial.id);
    expect(refined.map((r) => r.trial.params)).toEqual(refineTrials(searched.trial, 3).map((t) => t.params));
    expect(a.options.als).toMatchObject(a.chosen.params);
    expect(a.options.feedback).toEqual(a.chosen.feedback);
    // A spent budget still finishes one trial (the defaults') and leaves the rest out.
    const b = await autoTune(loadEngine(), base, { trials: 4, budgetSeconds: 0, seed: 1, concurrency: 1 }, silentProgress);
    expect(b.chosen.id).toBe(0);
    await expect(autoTune(loadEngine(), { ...base, als: { ...base.als, implicitPrefs: false } }, { trials: 2, budgetSeconds: 1, seed: 1, concurrency: 1 }, silentProgress)).rejects.toThrow(
      /--auto searches implicit-feedback parameters/,
    );
    // Rank-200 fits of the defaults: minutes on a loaded 2-core machine.
  }, 300_000);
});
