// Owns the list of algorithms: the one place a new algorithm is registered (its own file plus
// one line here). The CLI's --algorithm choices, tune and serving read them from here.

import { als } from './als.js';
import { ease } from './ease.js';
import type { Algorithm, ParamValues } from './types.js';
import type { TrainOptions } from '../pipeline/options.js';

export const ALGORITHMS: readonly Algorithm[] = [als, ease];

export const ALGORITHM_NAMES = ALGORITHMS.map((a) => a.name);

/** The algorithm called `name`; an unknown name is an error listing the choices. */
export function algorithmNamed(name: string): Algorithm {
  const a = ALGORITHMS.find((x) => x.name === name);
  if (!a) throw new Error(`--algorithm must be one of ${ALGORITHM_NAMES.join(', ')}; got "${name}"`);
  return a;
}

/** Every parameter of `a` at its schema default. */
export function paramDefaults(a: Algorithm): ParamValues {
  return Object.fromEntries(a.params.map((p) => [p.key, p.default]));
}

/** The chosen algorithm's parameters: ALS's are `o.als` (the CLI parses them there), another's come with its name. */
export function algorithmParams(algorithm: Algorithm, o: Pick<TrainOptions, 'als' | 'algorithm'>): ParamValues {
  return algorithm.name === 'als' ? (o.als as unknown as ParamValues) : (o.algorithm?.params ?? {});
}

/** Whether the data is read as implicit feedback: by every algorithm but explicit ALS (so an empty rating counts as one interaction, and evaluation ranks rather than predicts). */
export function readsImplicitFeedback(o: Pick<TrainOptions, 'als' | 'algorithm'>): boolean {
  return (o.algorithm?.name ?? 'als') !== 'als' || o.als.implicitPrefs;
}

export type { Algorithm, FittedModel, ItemWeights, ModelPart, ParamSpec, ParamValues } from './types.js';
