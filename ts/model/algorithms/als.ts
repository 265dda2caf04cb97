// Owns ALS (Spark MLlib's explicit ALS, or implicit feedback after Hu, Koren and Volinsky, with
// the iALS options) as an algorithm of the model seam: its parameter schema (Spark's names as
// aliases, the project's tuned defaults), the fit on the engine (Rust core, native or WASM), and
// the parts it writes: user and item factors, which give fold-in and similar items (cosine).

import type { AlsParams, Engine, FactorModel } from '../../engine/index.js';
import { feedbackValues } from '../pipeline/feedback.js';
import { DEFAULT_OPTIONS } from '../pipeline/options.js';
import type { Algorithm, FitData, FitHooks, FittedModel, ParamSpec, ParamValues } from './types.js';

const D = DEFAULT_OPTIONS.als;

/** ALS's parameters, declared once: the CLI's ALS options, `tune`'s ALS space and the manifest are generated from these. */
export const ALS_PARAMS = [
  { key: 'rank', flag: 'rank', type: 'int', default: D.rank, min: 1, max: 1024, help: 'latent factors', tune: { grid: [16, 32, 64, 128, 256, 512, 1024] } },
  { key: 'maxIter', flag: 'max-iter', sparkAlias: 'maxIter', type: 'int', default: D.maxIter, min: 1, max: 10_000, help: 'iterations', tune: { grid: [10, 15, 20, 30] } },
  {
    key: 'regParam',
    flag: 'reg-param',
    sparkAlias: 'regParam',
    type: 'float',
    default: D.regParam,
    min: 0,
    help: 'regularisation λ',
    tune: { range: [0.001, 10], log: true, grid: [0.01, 0.1, 1, 10] },
  },
  {
    key: 'implicitPrefs',
    flag: 'implicit-prefs',
    sparkAlias: 'implicitPrefs',
    type: 'bool',
    default: D.implicitPrefs,
    help: 'implicit feedback, Hu–Koren–Volinsky (default; --explicit turns it off)',
  },
  { key: 'alpha', flag: 'alpha', type: 'float', default: D.alpha, min: 0, help: 'confidence scale for implicit feedback', tune: { range: [0.1, 100], log: true, grid: [0.5, 2, 10, 40] } },
  { key: 'nonnegative', flag: 'nonnegative', type: 'bool', default: D.nonnegative, help: 'nonnegative factors (NNLS)' },
  { key: 'seed', flag: 'seed', type: 'int', default: D.seed, min: 0, help: 'seed of the initial factors' },
  {
    key: 'solver',
    flag: 'solver',
    type: 'choice',
    default: D.solver,
    defaultHelp: 'cg for implicit, cholesky for explicit',
    choices: ['cholesky', 'cg', 'block'],
    help: 'exact solve, conjugate gradient, or block coordinate descent (iALS++, for large ranks; cg and block: implicit only)',
  },
  { key: 'cgSteps', flag: 'cg-steps', type: 'int', default: D.cgSteps, min: 1, max: 1000, help: 'conjugate-gradient steps per row' },
  { key: 'blockSize', flag: 'block-size', type: 'int', default: D.blockSize, min: 1, max: 1024, help: 'coordinates per block of --solver block' },
  {
    key: 'regScaling',
    flag: 'reg-scaling',
    type: 'choice',
    default: D.regScaling,
    choices: ['spark', 'plain', 'frequency'],
    help: "λ·n per row (Spark's ALS-WR), plain λ (the implicit library), or λ·(n + α0·N)^ν (iALS, Rendle et al. 2022)",
    tune: { choices: ['spark', 'plain', 'frequency'] },
  },
  { key: 'regExponent', flag: 'reg-exponent', type: 'float', default: D.regExponent, min: 0, max: 4, help: 'ν of --reg-scaling frequency', tune: { grid: [0.5, 1] } },
  {
    key: 'unobservedWeight',
    flag: 'unobserved-weight',
    type: 'float',
    default: D.unobservedWeight,
    min: 1e-9,
    max: 1e6,
    help: 'α0, the weight of every unobserved (user, item) pair',
    tune: { range: [0.001, 1], log: true, grid: [0.01, 0.1, 1] },
  },
  {
    key: 'confidence',
    flag: 'confidence',
    type: 'choice',
    default: D.confidence,
    choices: ['one-plus-alpha', 'linear', 'log'],
    help: 'how a value becomes a confidence',
    tune: { choices: ['one-plus-alpha', 'linear', 'log'] },
  },
  { key: 'confidenceEpsilon', flag: 'confidence-epsilon', type: 'float', default: D.confidenceEpsilon, min: 1e-9, help: 'ε of the log confidence' },
  { key: 'threads', flag: 'threads', type: 'int', default: D.threads, min: 0, max: 1024, help: 'worker threads, 0 = all cores (results do not depend on it)' },
] as const satisfies readonly ParamSpec[];

export const als: Algorithm = {
  name: 'als',
  summary: "ALS matrix factorisation (Spark MLlib's explicit ALS, or implicit feedback, iALS options) on the Rust engine",
  params: ALS_PARAMS,
  capabilities: { foldIn: true, similarItems: true, ratingPrediction: true },
  async fit(engine: Engine, data: FitData, p: ParamValues, hooks: FitHooks): Promise<FittedModel> {
    const params = p as unknown as AlsParams;
    const values = feedbackValues(data.ratings, data.feedback, params.implicitPrefs);
    const model = await engine.fit({ nUsers: data.nUsers, nItems: data.nItems, users: data.users, items: data.items, values }, params, {
      ...(hooks.onIteration ? { onIteration: hooks.onIteration } : {}),
      ...(hooks.withFactors ? { withFactors: true } : {}),
    });
    return fittedFactors(engine, model, params.implicitPrefs);
  },
  describe: (p) =>
    `${p.implicitPrefs ? 'implicit' : 'explicit'} ALS, rank ${String(p.rank)}, ${String(p.maxIter)} iterations, regParam ${String(p.regParam)}${p.implicitPrefs ? `, alpha ${String(p.alpha)}` : ''}`,
};

/** A FittedModel over an engine's factor model (ranking on the engine; ratings predicted when explicit). */
export function fittedFactors(engine: Engine, m: FactorModel, implicit: boolean): FittedModel {
  const rank = m.rank;
  return {
    algorithm: 'als',
    nUsers: m.nUsers,
    nItems: m.nItems,
    factors: { rank, userFactors: m.userFactors, itemFactors: m.itemFactors },
    iterations: m.iterations,
    kernel: m.kernel,
    topK: (options) => engine.topK(m, options),
    ...(implicit
      ? {}
      : {
          predict: (u: number, i: number) => {
            let s = 0;
            for (let f = 0; f < rank; f++) s += m.userFactors[u * rank + f]! * m.itemFactors[i * rank + f]!;
            return s;
          },
        }),
  };
}
