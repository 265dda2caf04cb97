import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../../engine/index.js';
import { DEFAULT_OPTIONS } from '../pipeline/options.js';
import { silentProgress } from '../pipeline/progress.js';
import { IMPLICIT_SPACE, gridTrials, randomTrials } from './space.js';
import { tune } from './tune.js';

describe('hyperparameter search', () => {
  it('draws the same trials for the same seed, and the full grid', () => {
    expect(randomTrials(IMPLICIT_SPACE, 5, 3)).toEqual(randomTrials(IMPLICIT_SPACE, 5, 3));
    expect(randomTrials(IMPLICIT_SPACE, 5, 3)).not.toEqual(randomTrials(IMPLICIT_SPACE, 5, 4));
    const s = IMPLICIT_SPACE;
    // 'frequency' scaling takes each ν; the other scalings one trial each.
    const scalings = s.regScaling.length - 1 + s.regExponent.length;
    expect(gridTrials(s)).toHaveLength(
      s.rank.length * s.maxIter.length * s.regParamGrid.length * s.alphaGrid.length * s.unobservedWeightGrid.length * s.confidence.length * scalings * s.feedback.length,
    );
    for (const t of randomTrials(s, 50, 1)) {
      expect(t.params.regParam!).toBeGreaterThanOrEqual(s.regParam[0]);
      expect(t.params.regParam!).toBeLessThanOrEqual(s.regParam[1]);
    }
  });

  it('ranks trials on validation, deterministically, and prunes hopeless ones', async () => {
    const base = { ...structuredClone(DEFAULT_OPTIONS), dataset: { kind: 'synthetic' as const, preset: 'small' as const, seed: 3 }, modelsDir: mkdtempSync(join(tmpdir(), 't-')) };
    const trials = randomTrials({ ...IMPLICIT_SPACE, rank: [8, 16], maxIter: [8] }, 6, 1);
    // A hopeless trial: enormous regularisation flattens every factor.
    trials.push({ id: 6, params: { rank: 8, maxIter: 8, regParam: 1e6, alpha: 1, confidence: 'one-plus-alpha', regScaling: 'spark' }, feedback: { kind: 'value' } });
    const opts = { base, trials, objective: 'ndcg' as const, validationRatio: 0.8, concurrency: 2, probeIterations: 2, pruneBelow: 0.8 };
    const a = await tune(loadEngine(), opts, silentProgress);
    const b = await tune(loadEngine(), { ...opts, concurrency: 1 }, silentProgress);
    expect(a.results.map((r) => [r.trial.id, r.score])).toEqual(b.results.map((r) => [r.trial.id, r.score]));
    expect(a.best.score).toBe(Math.max(...a.results.filter((r) => !r.pruned).map((r) => r.score)));
    expect(a.results.find((r) => r.trial.id === 6)!.pruned).toBe(true);
    expect(a.protocol).toMatchObject({ objective: 'ndcg@10', validationRatio: 0.8 });
  });

  it('resumes an interrupted search from its journal, and refuses a journal of another search', async () => {
    const dir = mkdtempSync(join(tmpdir(), 't-'));
    const base = { ...structuredClone(DEFAULT_OPTIONS), dataset: { kind: 'synthetic' as const, preset: 'small' as const, seed: 3 }, modelsDir: dir };
    const trials = randomTrials({ ...IMPLICIT_SPACE, rank: [8, 16], maxIter: [6] }, 4, 1);
    const opts = { base, trials, objective: 'ndcg' as const, validationRatio: 0.8, concurrency: 1, probeIterations: 0, pruneBelow: 0.8 };
    const whole = await tune(loadEngine(), opts, silentProgress);
    // A spent budget starts no more trials once one has finished: an "interrupted" search whose
    // journal holds one fit, and a last line cut short by the interruption.
    const journal = join(dir, 'tune.journal');
    const first = await tune(loadEngine(), { ...opts, journal, budgetSeconds: 0 }, silentProgress);
    expect([first.results.length, first.skipped]).toEqual([1, 3]);
    appendFileSync(journal, '{"trial": 3, "kind": "fu');
    const resumed = await tune(loadEngine(), { ...opts, journal }, silentProgress);
    expect(resumed.resumed).toBe(1);
    expect(resumed.results.map((r) => [r.trial.id, r.score])).toEqual(whole.results.map((r) => [r.trial.id, r.score]));
    // Every fit is now in the journal: a third run fits nothing and gives the same answer.
    const again = await tune(loadEngine(), { ...opts, journal: journal }, silentProgress);
    expect(again.resumed).toBe(4);
    expect(again.best.trial.id).toBe(whole.best.trial.id);
    await expect(tune(loadEngine(), { ...opts, objective: 'precision', journal: journal }, silentProgress)).rejects.toThrow(/belongs to a different search/);
  });
});
