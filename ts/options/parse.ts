// Owns turning a command's argument list into typed values from its option declarations: names and
// aliases, `--name value` and `--name=value`, numbers within bounds, choices, environment fallbacks
// and defaults, with errors that name the flag (and the closest flag for an unknown one).

import type { Opt, OptionGroup, Values } from './declare.js';
import { UsageError } from './errors.js';

export interface ParseSettings {
  /** Accept arguments that are not options (returned in order); default false. */
  positionals?: boolean;
  /** Where `env` fallbacks are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Flags (without dashes) this command refuses with a reason, e.g. an option of a sibling command that does not apply. */
  refused?: Readonly<Record<string, string>>;
}

export interface Parsed<V> {
  values: V;
  positionals: string[];
  /** The flag as the user spelled it (an alias, say), for messages: `--events` or `--events-db`. */
  flag(name: string): string;
  /** Whether the option was on the command line (not its environment fallback or default). */
  given(name: string): boolean;
}

interface Entry {
  name: string;
  opt: Opt<unknown>;
}

/** Every declared option by its name and by each alias; a name declared twice is a programming error. */
export function optionIndex(groups: readonly OptionGroup[]): Map<string, Entry> {
  const index = new Map<string, Entry>();
  for (const g of groups) {
    for (const [name, opt] of Object.entries(g.options)) {
      for (const spelling of [name, ...(opt.aliases ?? [])]) {
        const seen = index.get(spelling);
        if (seen) throw new Error(`option --${spelling} is declared twice (${seen.name} and ${name})`);
        index.set(spelling, { name, opt });
      }
    }
  }
  return index;
}

export function parseOptions<const Gs extends readonly OptionGroup[]>(groups: Gs, argv: readonly string[], settings: ParseSettings = {}): Parsed<Values<Gs>> {
  const index = optionIndex(groups);
  const raw = new Map<string, { spelling: string; value: string | true }>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg.length > 1) throw new UsageError(`Unknown option '${arg}'${hint(arg.replace(/^-+/, ''), index)}`);
      if (!settings.positionals) throw new UsageError(`unexpected argument "${arg}": this command takes options only`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const spelling = arg.slice(2, eq < 0 ? undefined : eq);
    const entry = index.get(spelling);
    const refusal = settings.refused?.[spelling];
    if (refusal !== undefined) throw new UsageError(`--${spelling} does not apply: ${refusal}`);
    if (!entry) throw new UsageError(`Unknown option '--${spelling}'${hint(spelling, index)}`);
    if (entry.opt.kind === 'flag') {
      if (eq >= 0) throw new UsageError(`--${spelling} takes no value; got "${arg.slice(eq + 1)}"`);
      raw.set(entry.name, { spelling, value: true });
      continue;
    }
    const value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : argv[i + 1];
    if (eq < 0) {
      // the next argument is the value unless it is another option (a negative number is a value)
      if (value === undefined || (value.startsWith('-') && !/^-[\d.]/.test(value) && value !== '-')) {
        throw new UsageError(
          `--${spelling} needs a value (${entry.opt.metavar ?? 'VALUE'})${value === undefined ? '' : `; got the option ${value} (write --${spelling}=${value} for a value that starts with a dash)`}`,
        );
      }
      i++;
    }
    const before = raw.get(entry.name);
    if (before !== undefined && before.spelling !== spelling && before.value !== value) {
      throw new UsageError(`--${before.spelling} and --${spelling} are the same option, given "${before.value}" and "${value}"; give one`);
    }
    raw.set(entry.name, { spelling, value: value! });
  }
  const env = settings.env ?? process.env;
  const values: Record<string, unknown> = {};
  for (const g of groups) {
    for (const [name, opt] of Object.entries(g.options)) {
      const given = raw.get(name);
      if (given !== undefined) values[name] = convert(opt, given.value, `--${given.spelling}`);
      else if (opt.env !== undefined && env[opt.env] !== undefined && env[opt.env] !== '') values[name] = convert(opt, env[opt.env]!, `--${name} (from $${opt.env})`);
      else values[name] = opt.default;
    }
  }
  return { values: values as Values<Gs>, positionals, flag: (name) => `--${raw.get(name)?.spelling ?? name}`, given: (name) => raw.has(name) };
}

/** A raw value as its option's type; `where` names the flag (and the variable) in errors. */
function convert(opt: Opt<unknown>, value: string | true, where: string): unknown {
  if (value === true) return true;
  switch (opt.kind) {
    case 'number':
      return checkNumber(opt, value, where);
    case 'choice':
      if (!opt.choices!.includes(value)) throw new UsageError(`${where} must be one of ${opt.choices!.join(', ')}; got "${value}"${closest(value, opt.choices!, (c) => `; did you mean ${c}?`)}`);
      return value;
    default:
      return value;
  }
}

export function checkNumber(opt: Pick<Opt<unknown>, 'integer' | 'min' | 'max'>, value: string, where: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${where} must be a number, got "${value}"`);
  if (opt.integer && !Number.isInteger(n)) throw new UsageError(`${where} must be a whole number, got "${value}"`);
  if (opt.min !== undefined && n < opt.min) throw new UsageError(`${where} must be at least ${opt.min}, got ${n}`);
  if (opt.max !== undefined && n > opt.max) throw new UsageError(`${where} must be at most ${opt.max}, got ${n}`);
  return n;
}

function hint(spelling: string, index: Map<string, Entry>): string {
  return closest(spelling, [...index.keys()], (c) => `; did you mean --${index.get(c)!.name}?`);
}

/** The candidate nearest to `word` (edit distance, case-insensitive, at most a third of its length, at least 1), as a hint. */
export function closest(word: string, candidates: readonly string[], say: (c: string) => string): string {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best === undefined ? '' : say(best);
}

/** Damerau–Levenshtein distance (optimal string alignment): insertions, deletions, substitutions, swaps. */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
