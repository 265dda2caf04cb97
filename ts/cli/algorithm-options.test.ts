import { describe, expect, it } from 'vitest';
import { ALS_PARAMS } from '../model/algorithms/als.js';
import { ALGORITHMS, type ParamSpec } from '../model/algorithms/index.js';
import { DEFAULT_OPTIONS } from '../model/pipeline/options.js';
import { otherAlgorithmOptions } from './algorithm-options.js';
import { alsGroup, trainOptionsOf } from './commands/train-options.js';

// ALS's parameters are declared once, as the algorithm's schema (ts/model/algorithms/als.ts); the CLI
// options are generated from it. These check the generated options against the schema, and that
// every flag reaches the training options under the schema's key.
const specs = ALS_PARAMS as readonly ParamSpec[];

describe('the ALS options generated from the ALS schema', () => {
  it('declare the same flags, Spark spellings, kinds, bounds, choices, defaults and help', () => {
    const options = alsGroup.options as Record<
      string,
      { kind: string; aliases?: readonly string[]; integer?: boolean; min?: number; max?: number; choices?: readonly string[]; defaultHelp?: string; help: string }
    >;
    for (const p of specs) {
      const o = options[p.flag];
      expect(o, `--${p.flag}`).toBeDefined();
      expect(o!.aliases ?? [], `--${p.flag}`).toEqual(p.sparkAlias ? [p.sparkAlias] : []);
      expect(o!.help.startsWith(p.help), `--${p.flag} help`).toBe(true);
      const kind = p.type === 'bool' ? 'flag' : p.type === 'choice' ? 'choice' : 'number';
      expect(o!.kind, `--${p.flag}`).toBe(kind);
      if (kind === 'number') expect([o!.integer, o!.min, o!.max], `--${p.flag} bounds`).toEqual([p.type === 'int', p.min, p.max]);
      if (kind !== 'flag') expect(o!.defaultHelp, `--${p.flag} default`).toContain(p.defaultHelp ?? String(p.default));
      if (kind === 'choice') expect(o!.choices, `--${p.flag}`).toEqual(p.choices);
    }
    expect(alsGroup.title).toContain('--maxIter, --regParam, --implicitPrefs');
  });

  it('state the meaning and default of a flag another algorithm shares (--reg-param is EASE λ)', () => {
    const reg = (alsGroup.options as Record<string, { help: string; defaultHelp?: string }>)['reg-param']!;
    expect(reg.help).toContain("(with --algorithm ease: λ added to the Gram matrix's diagonal");
    expect(reg.defaultHelp).toBe(`${DEFAULT_OPTIONS.als.regParam}; ease: 250`);
  });

  it('set each parameter under its schema key, by the kebab flag and by the Spark spelling', () => {
    const value = (p: ParamSpec): string =>
      p.type === 'choice' ? p.choices!.find((c) => c !== p.default)! : String(p.type === 'int' ? Math.min(p.max ?? 1000, Number(p.default) + 1) : (p.min ?? 0) + 0.25);
    for (const p of specs.filter((q) => q.type !== 'bool')) {
      for (const name of p.sparkAlias ? [p.flag, p.sparkAlias] : [p.flag]) {
        const o = trainOptionsOf([`--${name}`, value(p)]);
        const got = (o.als as unknown as Record<string, unknown>)[p.key];
        expect(got, `--${name}`).toBe(p.type === 'choice' ? value(p) : Number(value(p)));
      }
    }
    expect(trainOptionsOf(['--nonnegative']).als.nonnegative).toBe(true);
    expect(trainOptionsOf(['--explicit']).als.implicitPrefs).toBe(false);
    expect(trainOptionsOf(['--implicitPrefs']).als.implicitPrefs).toBe(true);
  });

  it('leave the other algorithms only the flags ALS lacks, each named after its algorithm', () => {
    const others = otherAlgorithmOptions();
    for (const name of Object.keys(others)) expect(specs.some((p) => p.flag === name)).toBe(false);
    for (const a of ALGORITHMS.filter((x) => x.name !== 'als')) for (const p of a.params) if (!specs.some((q) => q.flag === p.flag)) expect(others[p.flag]?.help).toMatch(new RegExp(`^${a.name}: `));
  });
});
