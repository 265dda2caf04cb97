// Owns the training pipeline's options: where the data comes from, how it is prepared and
// split, the ALS parameters (Spark's names), evaluation depth, and the presets.

import type { AlsParams } from '../../engine/index.js';
import type { ColumnSpec, MovieLensSize } from '../../data/index.js';
import type { EventStoreConfig } from '../../events/open.js';
import type { FeedbackSettings } from '../../events/feedback.js';
import type { FeedbackTransform } from './feedback.js';
import type { ParamValues } from '../algorithms/types.js';
import type { StoreLoadOptions } from './store-load.js';

export type DatasetSource =
  | { kind: 'movielens'; size: MovieLensSize /** An unzipped MovieLens folder to read instead of downloading. */; dir?: string }
  | {
      kind: 'file';
      path: string;
      /** Optional titles/genres: a MovieLens movies file. */
      itemsPath?: string;
      /** A given test file (the fixed-split protocol): `path` is then the training file, read the same way. */
      testPath?: string;
      /** Field separator (default: sniffed). */
      delimiter?: string;
      /** Which column is which (default: from the header, else user, item, rating, timestamp). */
      columns?: ColumnSpec;
    }
  | { kind: 'synthetic'; preset: 'small' | 'ml-1m' | 'ml-25m'; seed: number };

export interface SplitOptions {
  method: 'random' | 'stratified' | 'chrono';
  ratio: number;
  by: 'user' | 'item';
  seed: number;
  /** Minimum interactions per group (Recommenders' min_rating). */
  minRating: number;
}

export interface TrainOptions {
  dataset: DatasetSource;
  cacheDir?: string;
  offline: boolean;
  skipBadLines: boolean;
  prepare: { dedupe: boolean; minUserCount: number; minItemCount: number; kCore: number };
  split: SplitOptions;
  als: AlsParams;
  /**
   * The algorithm to fit (ts/model/algorithms) and its parameters, validated against its schema;
   * absent: ALS with `als`.
   */
  algorithm?: { name: string; params: ParamValues };
  /** How ratings become implicit feedback (ignored for explicit ALS). */
  feedback: FeedbackTransform;
  /**
   * How events (and, with a negative threshold, the source's ratings) become strengths: per-type
   * weights, half-life, ratings below which are dislikes (ts/events/feedback.ts); absent: the
   * environment's (RECS_EVENT_WEIGHTS, RECS_EVENT_HALF_LIFE_DAYS, RECS_NEGATIVE_BELOW).
   */
  eventFeedback?: FeedbackSettings;
  /** Ranking cut-off of the evaluation. */
  k: number;
  /** Stored recommendations per user. */
  depth: number;
  evaluate: boolean;
  /** Refit on all the data for serving (default) or serve the model fitted on the training split. */
  refit: boolean;
  beyondAccuracy: 'all' | 'coverage' | 'none';
  modelsDir: string;
  /** Make the new version the active one (publish's step: ../lifecycle/publish.ts; train only writes it). */
  activate: boolean;
  /**
   * With `activate`: register the version as a candidate and promote it only if it passes the
   * quality gate (see model/lifecycle/gate.ts) instead of activating it unconditionally.
   */
  gate?: { tolerance: number };
  /**
   * The event store (the server's SQLite file, or its Cosmos DB container) merged into the data
   * before preparation; its erased users are left out of the base data (see events-source.ts).
   */
  events?: EventStoreConfig;
  /**
   * Publish's step: bulk-load the version's top-k table into a remote serving store before the
   * active pointer moves to it (skipped when the gate refuses the version).
   */
  load?: StoreLoadOptions;
}

/** Engine parameters, Spark defaults filled in, for a partial set given by the user. */
export const SPARK_DEFAULTS: AlsParams = {
  rank: 10,
  maxIter: 10,
  regParam: 0.1,
  implicitPrefs: false,
  alpha: 1,
  nonnegative: false,
  seed: 0,
  solver: 'cholesky',
  cgSteps: 3,
  blockSize: 32,
  unobservedWeight: 1,
  regExponent: 1,
  regScaling: 'spark',
  confidence: 'one-plus-alpha',
  confidenceEpsilon: 1,
  threads: 0,
  computeLoss: true,
};

/**
 * The project's recommended setting for ranking quality: implicit ALS with the parameters `recs tune`
 * found on MovieLens 100K (validation split carved from the training data; see bench/quality.ts).
 */
export const DEFAULT_OPTIONS: TrainOptions = {
  dataset: { kind: 'movielens', size: '100k' },
  offline: false,
  skipBadLines: false,
  prepare: { dedupe: true, minUserCount: 0, minItemCount: 0, kCore: 0 },
  split: { method: 'stratified', ratio: 0.75, by: 'item', seed: 42, minRating: 1 },
  als: { ...SPARK_DEFAULTS, rank: 200, maxIter: 30, regParam: 0.3193, implicitPrefs: true, alpha: 0.7219, solver: 'cg', cgSteps: 3, seed: 42 },
  feedback: { kind: 'value' },
  k: 10,
  depth: 30,
  evaluate: true,
  refit: true,
  beyondAccuracy: 'all',
  modelsDir: 'models',
  activate: true,
};

/**
 * `--explicit` without a preset or a params file starts from these instead: rating prediction,
 * tuned by `recs tune --explicit` on MovieLens 100K (RMSE 0.92 on the random 75/25 split, a
 * tenth of a second), scored on a random split as rating-prediction benchmarks are.
 */
export function explicitDefaults(o: TrainOptions): TrainOptions {
  return {
    ...o,
    split: { ...o.split, method: 'random', ratio: 0.75, seed: 42 },
    als: { ...SPARK_DEFAULTS, rank: 10, maxIter: 30, regParam: 0.1139, implicitPrefs: false, solver: 'cholesky', seed: 42 },
  };
}

export const PRESETS: Record<string, { summary: string; apply: (o: TrainOptions) => TrainOptions }> = {
  o16n: {
    summary: 'the reference notebook: explicit ALS, rank 10, maxIter 15, regParam 0.05, random 75/25 split, seed 42, MovieLens 100K',
    apply: (o) => ({
      ...o,
      dataset: o.dataset.kind === 'movielens' ? { ...o.dataset, size: '100k' } : { kind: 'movielens', size: '100k' },
      split: { method: 'random', ratio: 0.75, by: 'user', seed: 42, minRating: 1 },
      als: { ...SPARK_DEFAULTS, rank: 10, maxIter: 15, regParam: 0.05, implicitPrefs: false, seed: 42 },
    }),
  },
};
