// Owns `--algorithm` on train, tune and retrain: the choices and the help lines come from the
// algorithm registry and each algorithm's parameter schema (ts/model/algorithms); the chosen
// algorithm's flags are parsed and checked against its schema, and flags of another algorithm
// are refused, naming the ones it takes. ALS's flags are parsed by train.ts as before.

import { ALGORITHMS, ALGORITHM_NAMES, algorithmNamed, type Algorithm, type ParamSpec, type ParamValues } from '../model/algorithms/index.js';
import { als } from '../model/algorithms/als.js';
import { choiceOption, numberOption, UsageError } from './command.js';

/** The flags of every algorithm but ALS (train.ts declares ALS's and the shared ones). */
export const ALGORITHM_OPTIONS = { algorithm: { type: 'string' }, 'max-items': { type: 'string' } } as const;

/** Spellings a parameter is accepted under (Spark's name first, as today's ALS flags). */
const spellings = (p: ParamSpec) => (p.sparkAlias ? [p.sparkAlias, p.flag] : [p.flag]);

/** `--algorithm` and, for each algorithm but ALS, its parameters, for --help. */
export function algorithmHelp(): string {
  const lines = [`  --algorithm NAME        ${ALGORITHMS.map((a) => `${a.name}: ${a.summary}`).join(';\n                          ')} (default als)`];
  for (const a of ALGORITHMS) {
    if (a === als) continue;
    for (const p of a.params) {
      const flag = `--${spellings(p)[0]} ${p.type === 'int' ? 'N' : p.type === 'float' ? 'X' : p.type === 'choice' ? p.choices!.join('|') : ''}`.trimEnd();
      lines.push(`  ${flag.padEnd(22)}  ${a.name}: ${p.help} (default ${String(p.default)})`);
    }
  }
  return lines.join('\n');
}

/** The chosen algorithm and, unless it is ALS, its validated parameters; null for ALS. */
export function algorithmFromValues(v: Record<string, unknown>, alsFlagsGiven: readonly string[], fromFile?: { name: string; params: ParamValues }): { name: string; params: ParamValues } | null {
  const name = choiceOption('algorithm', v.algorithm as string | undefined, ALGORITHM_NAMES, (fromFile?.name ?? 'als') as (typeof ALGORITHM_NAMES)[number]);
  const a = algorithmNamed(name);
  const own = new Set(a.params.flatMap(spellings));
  const foreign = [...alsFlagsGiven, ...ALGORITHMS.filter((x) => x !== a).flatMap((x) => x.params.flatMap(spellings))].filter((f) => v[f] !== undefined && !own.has(f));
  if (foreign.length > 0 && a !== als) throw new UsageError(`--${foreign[0]} is not a parameter of --algorithm ${a.name}; it takes ${a.params.map((p) => `--${spellings(p)[0]}`).join(', ')}`);
  if (a === als) {
    const other = ALGORITHMS.filter((x) => x !== als).flatMap((x) => x.params.flatMap(spellings)).filter((f) => v[f] !== undefined && !als.params.some((p) => spellings(p).includes(f)));
    if (other.length > 0) throw new UsageError(`--${other[0]} is not an ALS parameter; it goes with --algorithm ${ALGORITHMS.find((x) => x.params.some((p) => spellings(p).includes(other[0]!)))!.name}`);
    return null;
  }
  return { name: a.name, params: paramValues(a, v, fromFile?.name === a.name ? fromFile.params : {}) };
}

/** The algorithm's parameters from flag values, defaults filled in, each checked against its schema. */
export function paramValues(a: Algorithm, v: Record<string, unknown>, base: ParamValues = {}): ParamValues {
  const out: ParamValues = {};
  for (const p of a.params) {
    const flag = spellings(p).find((f) => v[f] !== undefined) ?? spellings(p)[0]!;
    const raw = v[flag];
    const fallback = base[p.key] ?? p.default;
    if (p.type === 'bool') out[p.key] = raw === undefined ? fallback : Boolean(raw);
    else if (p.type === 'choice') out[p.key] = choiceOption(flag, raw as string | undefined, p.choices!, fallback as string);
    else out[p.key] = numberOption(flag, raw as string | undefined, fallback as number, { integer: p.type === 'int', ...(p.min !== undefined ? { min: p.min } : {}), ...(p.max !== undefined ? { max: p.max } : {}) });
  }
  return out;
}
