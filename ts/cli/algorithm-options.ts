// Owns `--algorithm` on train, tune and retrain and the CLI options generated from the algorithms'
// parameter schemas (ts/model/algorithms, the one declaration of each parameter): ALS's flags
// (typed, with Spark's spellings, bounds, choices, defaults and help), the other algorithms' flags
// that ALS lacks, the chosen algorithm's values checked against its schema, and flags of another
// algorithm refused, naming the ones it takes.

import { ALGORITHMS, algorithmNamed, type Algorithm, type ParamSpec, type ParamValues } from '../model/algorithms/index.js';
import { als, ALS_PARAMS } from '../model/algorithms/als.js';
import { choice, flag, num, type Opt } from '../options/index.js';
import { checkNumber } from '../options/parse.js';
import { UsageError } from './command.js';

/**
 * ALS-only flags (refused with another --algorithm): ALS's parameters that no other algorithm
 * shares (--reg-param is EASE's λ too), plus --explicit and --preset, which only set ALS's.
 */
export const ALS_ONLY_FLAGS: readonly string[] = [...als.params.map((p) => p.flag).filter((flag) => !ALGORITHMS.some((a) => a !== als && a.params.some((p) => p.flag === flag))), 'explicit', 'preset'];

/** Every name a parameter is accepted under (its kebab flag and Spark's spelling). */
const spellings = (p: ParamSpec) => (p.sparkAlias ? [p.flag, p.sparkAlias] : [p.flag]);

/** The value a parameter's flag parses to. */
type ParamValue<P extends ParamSpec> = P extends { type: 'bool' } ? boolean : P extends { type: 'choice'; choices: readonly (infer C)[] } ? C : number;

/** The CLI options of a schema, one per parameter, named by its flag; absent flags parse to undefined (a preset or params file decides). */
export type ParamOptions<Ps extends readonly ParamSpec[]> = { [P in Ps[number] as P['flag']]: Opt<ParamValue<P> | undefined> };

/** A parameter's CLI option: its Spark spelling as an alias, its bounds or choices, its default and help (`help`/`defaultHelp` when given). */
function paramOption(p: ParamSpec, help = p.help, defaultHelp = p.defaultHelp ?? String(p.default)): Opt<unknown> {
  const aliases = p.sparkAlias ? { aliases: [p.sparkAlias] } : {};
  if (p.type === 'bool') return flag({ ...aliases, help });
  if (p.type === 'choice') return choice({ ...aliases, choices: p.choices!, defaultHelp, help });
  return num({
    ...aliases,
    metavar: p.type === 'int' ? 'N' : 'X',
    integer: p.type === 'int',
    ...(p.min !== undefined ? { min: p.min } : {}),
    ...(p.max !== undefined ? { max: p.max } : {}),
    defaultHelp,
    help,
  });
}

/**
 * ALS's options, generated from its schema. A flag another algorithm shares (--reg-param, EASE's λ)
 * states that algorithm's meaning and default too; ALS's bounds apply at parse time, the other
 * algorithm's when its values are checked (paramValues).
 */
export function alsOptions(): ParamOptions<typeof ALS_PARAMS> {
  const out: Record<string, Opt<unknown>> = {};
  for (const p of ALS_PARAMS as readonly ParamSpec[]) {
    const sharers = ALGORITHMS.flatMap((a) => (a === als ? [] : a.params.filter((q) => q.flag === p.flag).map((q) => ({ a, q }))));
    const help = [p.help, ...sharers.map(({ a, q }) => `(with --algorithm ${a.name}: ${q.help})`)].join(' ');
    const defaultHelp = [p.defaultHelp ?? String(p.default), ...sharers.map(({ a, q }) => `${a.name}: ${q.defaultHelp ?? String(q.default)}`)].join('; ');
    out[p.flag] = paramOption(p, help, defaultHelp);
  }
  return out as ParamOptions<typeof ALS_PARAMS>;
}

/** The declarations of the other algorithms' parameters whose flag ALS does not have (e.g. ease's --max-items). */
export function otherAlgorithmOptions(): Record<string, Opt<unknown>> {
  const alsFlags = new Set(als.params.map((p) => p.flag));
  const out: Record<string, Opt<unknown>> = {};
  for (const a of ALGORITHMS) {
    if (a === als) continue;
    for (const p of a.params) if (!alsFlags.has(p.flag) && !out[p.flag]) out[p.flag] = paramOption(p, `${a.name}: ${p.help}`);
  }
  return out;
}

/** ALS's parameters from parsed values over `base` (a preset's or params file's): every flag given sets its key. */
export function alsValuesOver<T extends object>(base: T, v: Record<string, unknown>): T {
  const out = { ...base } as Record<string, unknown>;
  for (const p of ALS_PARAMS as readonly ParamSpec[]) if (v[p.flag] !== undefined) out[p.key] = v[p.flag];
  return out as T;
}

/** The chosen algorithm and, unless it is ALS, its validated parameters; null for ALS. */
export function algorithmFromValues(v: Record<string, unknown>, alsFlagsGiven: readonly string[], fromFile?: { name: string; params: ParamValues }): { name: string; params: ParamValues } | null {
  const a = algorithmNamed((v['algorithm'] as string | undefined) ?? fromFile?.name ?? 'als');
  const own = new Set(a.params.flatMap(spellings));
  if (a !== als) {
    const foreign = [...alsFlagsGiven, ...ALGORITHMS.filter((x) => x !== a).flatMap((x) => x.params.map((p) => p.flag))].filter((f) => v[f] !== undefined && v[f] !== false && !own.has(f));
    if (foreign.length > 0) throw new UsageError(`--${foreign[0]} is not a parameter of --algorithm ${a.name}; it takes ${a.params.map((p) => `--${p.flag}`).join(', ')}`);
    return { name: a.name, params: paramValues(a, v, fromFile?.name === a.name ? fromFile.params : {}) };
  }
  const alsFlags = new Set(als.params.map((p) => p.flag));
  const other = ALGORITHMS.filter((x) => x !== als)
    .flatMap((x) => x.params.map((p) => p.flag))
    .filter((f) => v[f] !== undefined && !alsFlags.has(f));
  if (other.length > 0) throw new UsageError(`--${other[0]} is not an ALS parameter; it goes with --algorithm ${ALGORITHMS.find((x) => x.params.some((p) => p.flag === other[0]))!.name}`);
  return null;
}

/** The algorithm's parameters from the parsed values, defaults filled in, each checked against its schema. */
export function paramValues(a: Algorithm, v: Record<string, unknown>, base: ParamValues = {}): ParamValues {
  const out: ParamValues = {};
  for (const p of a.params) {
    const raw = v[p.flag];
    const fallback = base[p.key] ?? p.default;
    if (raw === undefined) out[p.key] = fallback;
    else if (p.type === 'bool') out[p.key] = Boolean(raw);
    else if (p.type === 'choice') {
      if (!p.choices!.includes(String(raw))) throw new UsageError(`--${p.flag} must be one of ${p.choices!.join(', ')}; got "${String(raw)}"`);
      out[p.key] = String(raw);
    } else out[p.key] = checkNumber({ integer: p.type === 'int', ...(p.min !== undefined ? { min: p.min } : {}), ...(p.max !== undefined ? { max: p.max } : {}) }, String(raw), `--${p.flag}`);
  }
  return out;
}
