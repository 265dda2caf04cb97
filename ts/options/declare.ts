// Owns the declaration of command-line options: one object per option (its kebab-case name, accepted
// aliases, value kind, validation bounds or choices, default, environment fallback and help line),
// grouped under a title. The parser (./parse.ts) and the help renderer (./help.ts) are generated
// from these declarations. It imports nothing, so any layer (ts/model's algorithms included) can
// build an OptionGroup that a command then takes.

/** An option's declaration; `T` is the type of its parsed value. */
export interface Opt<T> {
  kind: 'flag' | 'text' | 'number' | 'choice';
  /** Other accepted spellings without the dashes (e.g. Spark's `maxIter` for `max-iter`). */
  aliases?: readonly string[];
  /** The value's placeholder in --help (N, X, DIR, …); flags have none. */
  metavar?: string;
  /** What the option does; wrapped for --help. A line starting with spaces is kept as written. */
  help: string;
  /** The value when the option is absent (after `env`). */
  default?: T;
  /** The default as --help states it, when `default` cannot say it (computed in the command's body). */
  defaultHelp?: string;
  /** An environment variable read, and validated like the flag, when the option is absent. */
  env?: string;
  /** Number bounds. */
  integer?: boolean;
  min?: number;
  max?: number;
  /** The allowed values of a choice. */
  choices?: readonly string[];
  /** Phantom field carrying the value type; never set. */
  readonly __value?: T;
}

/** Options under a --help heading. */
export interface OptionGroup<O extends Record<string, Opt<unknown>> = Record<string, Opt<unknown>>> {
  title: string;
  options: O;
}

type Common = Pick<Opt<unknown>, 'aliases' | 'help' | 'env' | 'defaultHelp'>;

/** A boolean switch: true when given, undefined when absent (so a params file or preset can decide). */
export function flag(o: Omit<Common, 'env'>): Opt<boolean | undefined> {
  return { kind: 'flag', ...o };
}

/** A string value. */
export function text(o: Common & { metavar: string; default: string }): Opt<string>;
export function text(o: Common & { metavar: string }): Opt<string | undefined>;
export function text(o: Common & { metavar: string; default?: string }): Opt<string | undefined> {
  return { kind: 'text', ...o };
}

type NumberBounds = { integer?: boolean; min?: number; max?: number };

/** A number, checked against its bounds (the error names the flag). */
export function num(o: Common & NumberBounds & { metavar: string; default: number }): Opt<number>;
export function num(o: Common & NumberBounds & { metavar: string }): Opt<number | undefined>;
export function num(o: Common & NumberBounds & { metavar: string; default?: number }): Opt<number | undefined> {
  return { kind: 'number', ...o };
}

/** One of a fixed list of values. */
export function choice<const C extends readonly string[]>(o: Common & { choices: C; metavar?: string; default: C[number] }): Opt<C[number]>;
export function choice<const C extends readonly string[]>(o: Common & { choices: C; metavar?: string }): Opt<C[number] | undefined>;
export function choice<const C extends readonly string[]>(o: Common & { choices: C; metavar?: string; default?: C[number] }): Opt<C[number] | undefined> {
  return { kind: 'choice', metavar: o.metavar ?? o.choices.join('|'), ...o };
}

/** A titled group of options (the names are the kebab-case flags without dashes). */
export function group<const O extends Record<string, Opt<unknown>>>(title: string, options: O): OptionGroup<O> {
  return { title, options };
}

/** The parsed values of a group: one typed field per option. */
export type GroupValues<G> = G extends OptionGroup<infer O> ? { [K in keyof O]: O[K] extends Opt<infer T> ? T : never } : never;

type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The parsed values of several groups. */
export type Values<Gs extends readonly OptionGroup[]> = Intersect<{ [I in keyof Gs]: GroupValues<Gs[I]> }[number]> & {};
