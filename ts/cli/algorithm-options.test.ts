import { describe, expect, it } from 'vitest';
import { ALS_PARAMS } from '../model/algorithms/als.js';
import { ALGORITHMS } from '../model/algorithms/index.js';
import { otherAlgorithmOptions } from './algorithm-options.js';
import { alsGroup } from './commands/train-options.js';

// ALS's parameters are declared twice: as the algorithm's schema (ts/model/algorithms/als.ts: the
// manifest, tune, params files) and as the typed CLI group (train-options.ts). This keeps them one.
describe('the ALS option group and the ALS schema', () => {
  it('declare the same flags, Spark spellings, kinds, bounds and choices', () => {
    const options = alsGroup.options as Record<string, { kind: string; aliases?: readonly string[]; integer?: boolean; min?: number; max?: number; choices?: readonly string[]; defaultHelp?: string }>;
    for (const p of ALS_PARAMS) {
      const o = options[p.flag];
      expect(o, `--${p.flag}`).toBeDefined();
      if (p.sparkAlias) expect(o!.aliases, `--${p.flag}`).toContain(p.sparkAlias);
      const kind = p.type === 'bool' ? 'flag' : p.type === 'choice' ? 'choice' : 'number';
      expect(o!.kind, `--${p.flag}`).toBe(kind);
      if (kind === 'number') {
        expect(o!.integer ?? false, `--${p.flag} integer`).toBe(p.type === 'int');
        expect(o!.min, `--${p.flag} min`).toBe(p.min);
        expect(o!.max, `--${p.flag} max`).toBe(p.max);
        expect(o!.defaultHelp, `--${p.flag} default`).toContain(String(p.default));
      }
      if (kind === 'choice') expect([...o!.choices!].sort(), `--${p.flag}`).toEqual([...p.choices!].sort());
    }
  });

  it('leaves the other algorithms only the flags ALS lacks, each named after its algorithm', () => {
    const others = otherAlgorithmOptions();
    for (const name of Object.keys(others)) expect(ALS_PARAMS.some((p) => p.flag === name)).toBe(false);
    for (const a of ALGORITHMS.filter((x) => x.name !== 'als'))
      for (const p of a.params) if (!ALS_PARAMS.some((q) => q.flag === p.flag)) expect(others[p.flag]?.help).toMatch(new RegExp(`^${a.name}: `));
  });
});
