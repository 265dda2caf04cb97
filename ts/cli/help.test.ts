// Every command's --help is generated from its option declarations: each declared option appears
// with its aliases and its default; `recs --version`; suggestions for unknown commands and flags.

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeclaredCommand } from './command.js';
import { commands } from './commands/index.js';
import { main } from './run.js';
import { capture } from './testing.js';
import { defaultText } from '../options/help.js';
import type { OptionGroup } from '../options/index.js';

afterEach(() => vi.restoreAllMocks());

describe('generated --help', () => {
  for (const cmd of commands as DeclaredCommand<readonly OptionGroup[]>[]) {
    it(`recs ${cmd.name} --help names every option with its default`, () => {
      expect(cmd.groups.length).toBeGreaterThan(0);
      for (const g of cmd.groups) {
        expect(cmd.help).toContain(`${g.title}:`);
        for (const [name, opt] of Object.entries(g.options)) {
          const spellings = [name, ...(opt.aliases ?? [])].map((n) => `--${n}`).join(', ');
          expect(cmd.help).toContain(`  ${spellings}${opt.metavar ? ` ${opt.metavar}` : ''}`);
          expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/); // kebab case; other spellings are aliases
          // the default, as stated, appears (the wrapper may break a long one across lines)
          expect(cmd.help.replace(/\s+/g, ' ')).toContain(defaultText(opt));
        }
      }
    });
  }

  it('--models-dir has one default everywhere: $RECS_MODELS_DIR, else ./models', () => {
    for (const cmd of commands as DeclaredCommand<readonly OptionGroup[]>[]) {
      const opt = cmd.groups.flatMap((g) => Object.entries(g.options)).find(([n]) => n === 'models-dir')?.[1];
      if (opt) expect([cmd.name, opt.env, opt.default]).toEqual([cmd.name, 'RECS_MODELS_DIR', './models']);
    }
  });
});

describe('recs', () => {
  it('--version prints the package version', async () => {
    const c = capture();
    expect(await main(['--version'])).toBe(0);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(c.out()).toBe(`recs ${pkg.version}`);
  });

  it('suggests the closest command and flag', async () => {
    const c = capture();
    expect(await main(['trian'])).toBe(2);
    expect(c.err()).toContain('unknown command "trian"; did you mean "train"?');
    expect(await main(['train', '--max-iters', '3'])).toBe(2);
    expect(c.err()).toContain("Unknown option '--max-iters'; did you mean --max-iter?");
    expect(await main(['serve', '--prot', '80'])).toBe(2);
    expect(c.err()).toContain("Unknown option '--prot'; did you mean --port?");
  });

  it('takes the kebab-case and the Spark spelling alike, and validates before any work', async () => {
    const c = capture();
    expect(await main(['train', '--maxIter', '0'])).toBe(2);
    expect(c.err()).toContain('--maxIter must be at least 1, got 0');
    expect(await main(['train', '--max-iter', '2.5'])).toBe(2);
    expect(c.err()).toContain('--max-iter must be a whole number, got "2.5"');
    expect(await main(['retrain', '--no-activate'])).toBe(2);
    expect(c.err()).toContain('--no-activate does not apply: retrain promotes through the gate');
    expect(await main(['models', 'list', '--keep', 'two'])).toBe(2);
    expect(c.err()).toContain('--keep must be a number, got "two"');
  });
});
