// Owns the shape of a CLI command: a name, a one-line summary, its --help text and a run
// function that takes the arguments after the command name and returns an exit code.

export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

/** An error in the user's arguments: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses a number option, naming the option in the error. */
export function numberOption(name: string, value: string | undefined, fallback: number, opts: { integer?: boolean; min?: number; max?: number } = {}): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}"`);
  if (opts.integer && !Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`--${name} must be at least ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new UsageError(`--${name} must be at most ${opts.max}, got ${n}`);
  return n;
}

/** Parses one of a fixed set of choices. */
export function choiceOption<T extends string>(name: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got "${value}"`);
  return value as T;
}
