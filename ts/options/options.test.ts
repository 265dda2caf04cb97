// The option generator: parsing (names, aliases, --name=value, negative numbers, environment
// fallbacks, defaults), validation errors that name the flag, the closest-flag suggestion (against
// hand-computed edit distances) and the --help lines (every option with its default).

import { describe, expect, it } from 'vitest';
import { choice, flag, group, num, text } from './declare.js';
import { UsageError } from './errors.js';
import { defaultText, groupsHelp } from './help.js';
import { distance, parseOptions } from './parse.js';

const als = group('ALS', {
  rank: num({ metavar: 'N', integer: true, min: 1, max: 1024, default: 10, help: 'latent factors' }),
  'max-iter': num({ aliases: ['maxIter'], metavar: 'N', integer: true, min: 1, help: 'iterations', defaultHelp: '30' }),
  'reg-param': num({ aliases: ['regParam'], metavar: 'X', min: 0, default: 0.1, help: 'regularisation λ' }),
  solver: choice({ choices: ['cholesky', 'cg', 'block'], default: 'cg', help: 'the solver' }),
  'implicit-prefs': flag({ aliases: ['implicitPrefs'], help: 'implicit feedback' }),
});
const io = group('Output', {
  'models-dir': text({ metavar: 'DIR', env: 'TEST_MODELS_DIR', default: './models', help: 'model registry directory' }),
  port: num({ metavar: 'N', integer: true, min: 0, max: 65535, env: 'TEST_PORT', default: 8080, help: 'TCP port' }),
  out: text({ metavar: 'FILE', help: 'where the output goes' }),
});
const groups = [als, io] as const;
const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseOptions(groups, argv, { env });
const fails = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    parse(argv, env);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
};

describe('parseOptions', () => {
  it('gives typed values: defaults, absent options undefined, flags true', () => {
    const { values } = parse([]);
    expect(values).toEqual({ rank: 10, 'max-iter': undefined, 'reg-param': 0.1, solver: 'cg', 'implicit-prefs': undefined, 'models-dir': './models', port: 8080, out: undefined });
    const v = parse(['--rank', '20', '--solver=block', '--implicit-prefs', '--out', 'x.json', '--reg-param', '0']).values;
    expect(v).toMatchObject({ rank: 20, solver: 'block', 'implicit-prefs': true, out: 'x.json', 'reg-param': 0 });
  });

  it("accepts Spark's names as aliases of the kebab-case ones, and says which spelling was used", () => {
    for (const argv of [['--maxIter', '5'], ['--max-iter', '5'], ['--maxIter=5'], ['--max-iter', '5', '--maxIter', '5']]) expect(parse(argv).values['max-iter']).toBe(5);
    expect(parse(['--regParam', '0.3', '--implicitPrefs']).values).toMatchObject({ 'reg-param': 0.3, 'implicit-prefs': true });
    const p = parse(['--maxIter', '5']);
    expect(p.flag('max-iter')).toBe('--maxIter');
    expect(p.flag('rank')).toBe('--rank');
    expect(p.given('max-iter')).toBe(true);
    expect(p.given('rank')).toBe(false);
    expect(fails(['--maxIter', '5', '--max-iter', '6'])).toBe('--maxIter and --max-iter are the same option, given "5" and "6"; give one');
  });

  it('takes negative numbers as values, but not another option', () => {
    expect(fails(['--reg-param', '-1'])).toBe('--reg-param must be at least 0, got -1');
    expect(fails(['--out', '--rank', '3'])).toBe('--out needs a value (FILE); got the option --rank (write --out=--rank for a value that starts with a dash)');
    expect(fails(['--out'])).toBe('--out needs a value (FILE)');
    expect(parse(['--out=--odd']).values.out).toBe('--odd');
  });

  it('validates numbers and choices with errors that name the flag', () => {
    expect(fails(['--rank', 'ten'])).toBe('--rank must be a number, got "ten"');
    expect(fails(['--rank', ''])).toBe('--rank must be a number, got ""');
    expect(fails(['--rank', '2.5'])).toBe('--rank must be a whole number, got "2.5"');
    expect(fails(['--rank', '0'])).toBe('--rank must be at least 1, got 0');
    expect(fails(['--rank', '1025'])).toBe('--rank must be at most 1024, got 1025');
    expect(fails(['--maxIter', '0'])).toBe('--maxIter must be at least 1, got 0');
    expect(fails(['--solver', 'cgg'])).toBe('--solver must be one of cholesky, cg, block; got "cgg"; did you mean cg?');
    expect(fails(['--solver', 'qr'])).toBe('--solver must be one of cholesky, cg, block; got "qr"');
    expect(fails(['--implicit-prefs=yes'])).toBe('--implicit-prefs takes no value; got "yes"');
  });

  it('reads the environment when the flag is absent, validated and named', () => {
    expect(parse([], { TEST_MODELS_DIR: '/data/models', TEST_PORT: '9000' }).values).toMatchObject({ 'models-dir': '/data/models', port: 9000 });
    expect(parse(['--models-dir', 'here'], { TEST_MODELS_DIR: '/data/models' }).values['models-dir']).toBe('here');
    expect(parse([], { TEST_PORT: '' }).values.port).toBe(8080);
    expect(fails([], { TEST_PORT: 'http' })).toBe('--port (from $TEST_PORT) must be a number, got "http"');
    expect(parse([], { TEST_MODELS_DIR: '/x' }).given('models-dir')).toBe(false);
  });

  it('suggests the closest flag for an unknown one', () => {
    expect(fails(['--max-iters', '3'])).toBe("Unknown option '--max-iters'; did you mean --max-iter?");
    expect(fails(['--maxiter', '3'])).toBe("Unknown option '--maxiter'; did you mean --max-iter?");
    expect(fails(['--regparam', '3'])).toBe("Unknown option '--regparam'; did you mean --reg-param?");
    expect(fails(['--raank', '3'])).toBe("Unknown option '--raank'; did you mean --rank?");
    expect(fails(['--bogus'])).toBe("Unknown option '--bogus'");
    expect(fails(['-r', '3'])).toBe("Unknown option '-r'");
  });

  it('refuses or returns positionals, and honours --', () => {
    expect(fails(['extra'])).toBe('unexpected argument "extra": this command takes options only');
    expect(parseOptions(groups, ['show', '--rank', '3', 'v1', '--', '--rank'], { positionals: true, env: {} })).toMatchObject({ positionals: ['show', 'v1', '--rank'], values: { rank: 3 } });
  });

  it('refuses a name declared twice, and a sibling command option with its reason', () => {
    expect(() => parseOptions([als, group('Again', { maxIter: num({ metavar: 'N', help: 'x' }) })], [])).toThrow('option --maxIter is declared twice (max-iter and maxIter)');
    expect(() => parseOptions(groups, ['--no-activate'], { refused: { 'no-activate': 'retrain promotes through the gate' } })).toThrow(
      '--no-activate does not apply: retrain promotes through the gate',
    );
  });
});

describe('distance (optimal string alignment)', () => {
  it('matches hand-computed distances', () => {
    expect(distance('kitten', 'sitting')).toBe(3);
    expect(distance('', 'abc')).toBe(3);
    expect(distance('abc', 'abc')).toBe(0);
    expect(distance('ca', 'ac')).toBe(1); // one swap
    expect(distance('max-iters', 'max-iter')).toBe(1);
    expect(distance('flaw', 'lawn')).toBe(2);
  });
});

describe('groupsHelp', () => {
  const help = groupsHelp(groups);
  it('lists every option under its group with its aliases, placeholder and default', () => {
    expect(help).toMatch(/^ALS:\n {2}--rank N {16}latent factors \(default 10\)$/m);
    expect(help).toContain('--max-iter, --maxIter N');
    expect(help).toContain('iterations (default 30)');
    expect(help).toContain('--solver cholesky|cg|block');
    expect(help).toContain('model registry directory (default $TEST_MODELS_DIR, else ./models)');
    expect(help).toContain('TCP port (default $TEST_PORT, else 8080)');
    expect(help).toMatch(/--out FILE {14}where the output goes$/m);
    for (const g of groups) for (const o of Object.values(g.options)) expect(help).toContain(defaultText(o));
  });

  it('wraps long descriptions under the description column, keeping a short default on one line', () => {
    const long = groupsHelp([group('G', { x: num({ metavar: 'N', default: 123456, help: 'word '.repeat(60).trim() }) })]);
    const lines = long.split('\n').slice(1);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(104);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {26}\S/);
    expect(long).toContain('(default 123456)');
  });
});
