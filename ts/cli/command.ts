// Owns the shape of a CLI command: a name, a one-line summary, its option groups (from which its
// parser and --help text are generated, see ts/options) and a body that takes the typed values and
// returns an exit code.

import { checkNumber } from '../options/parse.js';
import { groupsHelp, parseOptions, UsageError, type OptionGroup, type Parsed, type Values } from '../options/index.js';

export { UsageError };

export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

export interface CommandSpec<Gs extends readonly OptionGroup[]> {
  name: string;
  summary: string;
  /** --help before the options: "recs <name> — …", usage lines, what the command does. */
  about: string;
  groups: Gs;
  /** --help after the options. */
  notes?: string;
  /** The command takes arguments that are not options (e.g. `models show <version>`). */
  positionals?: boolean;
  /** Flags of sibling commands this one refuses, with the reason. */
  refused?: Readonly<Record<string, string>>;
  run(values: Values<Gs>, parsed: Parsed<Values<Gs>>): Promise<number>;
}

export interface DeclaredCommand<Gs extends readonly OptionGroup[]> extends Command {
  groups: Gs;
  parse(argv: readonly string[], env?: NodeJS.ProcessEnv): Parsed<Values<Gs>>;
}

/** A command from its declaration: the parser, the typed values and the --help text come from `groups`. */
export function defineCommand<const Gs extends readonly OptionGroup[]>(spec: CommandSpec<Gs>): DeclaredCommand<Gs> {
  const parse = (argv: readonly string[], env: NodeJS.ProcessEnv = process.env) =>
    parseOptions(spec.groups, argv, { positionals: spec.positionals ?? false, env, ...(spec.refused ? { refused: spec.refused } : {}) });
  parse([], {}); // a name declared twice fails here, at load time
  return {
    name: spec.name,
    summary: spec.summary,
    groups: spec.groups,
    help: `${spec.about.trimEnd()}\n\n${groupsHelp(spec.groups)}\n${spec.notes ? `\n${spec.notes.trimEnd()}\n` : ''}`,
    parse,
    async run(argv) {
      const parsed = parse(argv);
      return spec.run(parsed.values, parsed);
    },
  };
}

/** Parses a number whose bounds or default the body computes (e.g. a shard below --shards), naming the option. */
export function numberOption(name: string, value: string | undefined, fallback: number, opts: { integer?: boolean; min?: number; max?: number } = {}): number {
  return value === undefined ? fallback : checkNumber(opts, value, `--${name}`);
}

/** Parses one of a fixed set of choices given as a string (a choice the body receives from elsewhere). */
export function choiceOption<T extends string>(name: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got "${value}"`);
  return value as T;
}
