// Owns the model seam: what an algorithm is (a name, a parameter schema that the CLI, `tune`'s
// search space and the manifest all read, a fit that returns model parts, and the serving
// capabilities those parts give) and the parts a fitted model can hold. One file per algorithm
// implements it (./als.ts, ./ease.ts); ./index.ts lists them.

import type { Engine, IterationReport, TopK, TopKOptions } from '../../engine/index.js';
import type { FeedbackTransform } from '../pipeline/feedback.js';

/**
 * One parameter, as plain data and the only declaration of it: the CLI flag (with its Spark
 * spelling, bounds, choices, default and help line, ts/cli/algorithm-options.ts), its validation,
 * `tune`'s search space and the manifest key all come from it.
 */
export interface ParamSpec {
  /** The key in the params object and the manifest (Spark's name when Spark has one). */
  readonly key: string;
  /** kebab-case flag name (without "--"). */
  readonly flag: string;
  /** Spark's camelCase spelling, accepted as a flag too (e.g. regParam). */
  readonly sparkAlias?: string;
  readonly type: 'int' | 'float' | 'bool' | 'choice';
  readonly default: number | boolean | string;
  /** The default as --help states it, when it depends on other options (e.g. ALS's solver). */
  readonly defaultHelp?: string;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  /** The --help line. */
  readonly help: string;
  /** What `recs tune` searches; absent: not searched. */
  readonly tune?: NumberTune | ChoiceTune;
}

/**
 * A number's search: the grid search takes `grid`; random search draws from `range` (log-uniform
 * when `log`) when there is one, else picks one of `grid`.
 */
export interface NumberTune {
  readonly grid: readonly number[];
  readonly range?: readonly [number, number];
  readonly log?: boolean;
}

/** A choice's search: every one of `choices` (grid), or one at random. */
export interface ChoiceTune {
  readonly choices: readonly string[];
}

export type ParamValues = Record<string, number | boolean | string>;

/** The parts an artifact can hold; serving uses what is there. */
export type ModelPart = 'userFactors' | 'itemFactors' | 'itemWeights' | 'topk' | 'popularity' | 'history';

/** Item-item weights: score(u, j) = Σ_i x_ui · weights[i·n + j] (EASE's B). */
export interface ItemWeights {
  n: number;
  /** n × n, row-major. */
  weights: Float32Array;
}

/** What a fit produced, and how to rank with it. */
export interface FittedModel {
  algorithm: string;
  nUsers: number;
  nItems: number;
  /** Latent factors (ALS), when the algorithm has them. */
  factors?: { rank: number; userFactors: Float32Array; itemFactors: Float32Array };
  itemWeights?: ItemWeights;
  iterations: IterationReport[];
  /** What computed it (the SIMD kernel, or "typescript"). */
  kernel: string;
  /** Exact top-k of the users (all by default), `exclude`'s pairs left out. */
  topK(options: TopKOptions): Promise<TopK>;
  /** Predicted rating of (user, item), when the model predicts ratings (explicit ALS). */
  predict?: (user: number, item: number) => number;
}

/** The interactions to fit (dense 0-based indices), with the ratings as read and how they become feedback. */
export interface FitData {
  nUsers: number;
  nItems: number;
  users: Uint32Array;
  items: Uint32Array;
  ratings: Float32Array;
  feedback: FeedbackTransform;
}

export interface FitHooks {
  /** Called after every iteration (iterative algorithms). */
  onIteration?: (r: IterationReport) => void;
  /** Pass factors with each report (held-out curve). */
  withFactors?: boolean;
  /** Work done of total, for one-shot algorithms (no iterations). */
  onProgress?: (done: number, total: number) => void;
}

export interface Algorithm {
  name: string;
  /** One line for --help and the report. */
  summary: string;
  params: readonly ParamSpec[];
  /** What serving can do with the parts this algorithm writes. */
  capabilities: { foldIn: boolean; similarItems: boolean; ratingPrediction: boolean };
  /** Throws an error naming the flag (and `--algorithm als` where that is the way out) when the data does not suit it. */
  check?(nUsers: number, nItems: number, params: ParamValues): void;
  fit(engine: Engine, data: FitData, params: ParamValues, hooks: FitHooks): Promise<FittedModel>;
  /** The parameters in a sentence (report, tune's table). */
  describe(params: ParamValues): string;
}
