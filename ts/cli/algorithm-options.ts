// Owns `--algorithm` on train, tune and retrain: the declared options of the algorithms other than
// ALS come from their parameter schemas (ts/model/algorithms), the chosen algorithm's values are
// checked against its schema, and flags of another algorithm are refused, naming the ones it takes.
// ALS's own flags are declared in ./commands/train-options.ts.

import { ALGORITHMS, algorithmNamed, type Algorithm, type ParamSpec, type ParamValues } from '../model/algorithms/index.js';
import { als } from '../model/algorithms/als.js';
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

/** The declarations of the other algorithms' parameters whose flag ALS does not have (e.g. ease's --max-items). */
export function otherAlgorithmOptions(): Record<string, Opt<unknown>> {
  const alsFlags = new Set(als.params.map((p) => p.flag));
  const out: Record<string, Opt<unknown>> = {};
  for (const a of ALGORITHMS) {
    if (a === als) continue;
    for (const p of a.params) {
      if (alsFlags.has(p.flag) || out[p.flag]) continue;
      const help = `${a.name}: ${p.help}`;
      const defaultHelp = String(p.default);
      out[p.flag] =
        p.type === 'bool'
          ? flag({ help })
          : p.type === 'choice'
            ? choice({ choices: p.choices!, defaultHelp, help })
            : num({
                metavar: p.type === 'int' ? 'N' : 'X',
                integer: p.type === 'int',
                ...(p.min !== undefined ? { min: p.min } : {}),
                ...(p.max !== undefined ? { max: p.max } : {}),
                defaultHelp,
                help,
              });
    }
  }
  return out;
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
