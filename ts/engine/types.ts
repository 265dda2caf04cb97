// Owns the engine's public types: training parameters, data and model shapes, and the `Engine`
// interface that both the native addon and the WASM build (./wasm.ts) implement.

/**
 * How each row's least-squares problem is solved: 'cholesky' exactly; 'cg' conjugate gradient;
 * 'block' block coordinate descent (iALS++, `blockSize` coordinates at a time). The last two are
 * for implicit feedback only.
 */
export type Solver = 'cholesky' | 'cg' | 'block';
/**
 * 'spark': λ·n per row (ALS-WR, Spark); 'plain': λ for every row (the `implicit` library);
 * 'frequency': λ·(n + α0·N)^ν, N the other side's size (iALS, Rendle et al. 2022).
 */
export type RegScaling = 'spark' | 'plain' | 'frequency';
/** Implicit confidence: 1 + α·r (Spark), α·r (`implicit`), or 1 + α·ln(1 + r/ε). */
export type ConfidenceScaling = 'one-plus-alpha' | 'linear' | 'log';
/** SIMD kernels of the core. */
export type KernelName = 'avx512' | 'avx2+fma' | 'portable';

/** Spark MLlib ALS parameters (same names) plus the solver options Spark does not expose. */
export interface AlsParams {
  /** Latent factors per user/item (Spark default 10). */
  rank: number;
  /** Iterations (default 10). */
  maxIter: number;
  /** Regularisation λ (default 0.1). */
  regParam: number;
  /** Implicit feedback (Hu, Koren, Volinsky) instead of explicit ratings (default false). */
  implicitPrefs: boolean;
  /** Confidence scale for implicit feedback (default 1). */
  alpha: number;
  /** Non-negative factors (NNLS; default false). */
  nonnegative: boolean;
  /** Random seed of the initial factors (default 0). */
  seed: number;
  /** Default 'cholesky'. */
  solver: Solver;
  /** Conjugate-gradient steps per row when solver is 'cg' (default 3). */
  cgSteps: number;
  /** Coordinates per block when solver is 'block' (default 32; ≥ rank is the exact solve). */
  blockSize: number;
  /** α0: weight of every unobserved (user, item) pair, implicit feedback (default 1, as Hu et al.). */
  unobservedWeight: number;
  /** ν of the 'frequency' regularisation scaling (default 1). */
  regExponent: number;
  /** Default 'spark'. */
  regScaling: RegScaling;
  /** Default 'one-plus-alpha'. */
  confidence: ConfidenceScaling;
  /** ε of the 'log' confidence (default 1). */
  confidenceEpsilon: number;
  /** Worker threads, 0 = all cores (default 0). Results do not depend on it. */
  threads: number;
  /** Compute the training loss after every iteration (default true). */
  computeLoss: boolean;
}

/** A sparse users × items matrix as COO triplets; ids are dense 0-based indices. */
export interface Interactions {
  nUsers: number;
  nItems: number;
  users: Uint32Array;
  items: Uint32Array;
  values: Float32Array;
}

/** Reported after every training iteration. */
export interface IterationReport {
  /** 1-based. */
  iteration: number;
  /** Training loss, or null when computeLoss is false. */
  loss: number | null;
  /** Duration of this iteration, seconds. */
  seconds: number;
  /** Time since training started, seconds. */
  elapsed: number;
  /** Copies of the factors after this iteration, when FitOptions.withFactors asked for them. */
  userFactors?: Float32Array;
  itemFactors?: Float32Array;
}

/** A trained model: row-major factor matrices with `rank` columns. */
export interface FactorModel {
  rank: number;
  nUsers: number;
  nItems: number;
  /** nUsers × rank. */
  userFactors: Float32Array;
  /** nItems × rank. */
  itemFactors: Float32Array;
  iterations: IterationReport[];
  /** The SIMD kernel training ran with. */
  kernel: string;
}

/** What item-side operations need from a model. */
export type ItemFactors = Pick<FactorModel, 'rank' | 'itemFactors'>;
/** What user × item scoring needs from a model. */
export type UserItemFactors = Pick<FactorModel, 'rank' | 'userFactors' | 'itemFactors'>;

/** Item id of an empty slot in a top-k list (its score is -Infinity). */
export const EMPTY_ITEM = 0xffff_ffff;

/**
 * rows × k results, row-major, best first (ties: lower item index first). Rows with fewer than k
 * candidates end with EMPTY_ITEM / -Infinity slots.
 */
export interface TopK {
  k: number;
  rows: number;
  items: Uint32Array;
  scores: Float32Array;
}

/** A folded-in user's vector and top-k (one row). */
export interface Recommendation extends TopK {
  vector: Float32Array;
}

export interface FitOptions {
  /** Called after every iteration; return false to stop training after it. */
  onIteration?: (report: IterationReport) => boolean | void;
  /**
   * Pass copies of the factors with each report (for held-out metrics per iteration). The native
   * engine honours it; the WASM engine reports without factors.
   */
  withFactors?: boolean;
}

export interface TopKOptions {
  k: number;
  /** Rows of userFactors to score (default: all). */
  users?: Uint32Array;
  /** Interactions to leave out of each user's list (e.g. the training data); values ignored. */
  exclude?: Pick<Interactions, 'users' | 'items'>;
  /** Worker threads, 0 = all cores. */
  threads?: number;
  /** Called with (rows done, total rows) at most every 100 ms and once at the end. */
  onProgress?: (done: number, total: number) => void;
}

/** Fold-in against fixed item factors: a vector for a user the model has not seen. Synchronous. */
export interface FoldIn {
  readonly nItems: number;
  readonly rank: number;
  /** The user vector for these (item, value) interactions. */
  userVector(items: Uint32Array, values: Float32Array): Float32Array;
  /** The user vector and its top-k items, the given items excluded. */
  recommend(items: Uint32Array, values: Float32Array, k: number): Recommendation;
  /**
   * recommend() for n users in one call (the native engine): user u's interactions are
   * items/values[offsets[u] … offsets[u + 1]); their vectors (n × rank) and lists (n × k, rows
   * of TopK) come back each in one array. Optional: the native addon has it (it saves the per-call
   * cost); without it callers use recommend() per user (the WASM engine; item-weight models,
   * whose vector is not rank long).
   */
  recommendMany?(offsets: Uint32Array, items: Uint32Array, values: Float32Array, k: number): Recommendation;
}

/** Synthetic data: a preset shape, or explicit sizes (preset fields can be overridden). */
export interface SyntheticSpec {
  /** MovieLens-shaped sizes: 'ml-1m' (6,040 × 3,706, 1M) or 'ml-25m' (162,541 × 59,047, 25M). */
  preset?: 'ml-1m' | 'ml-25m';
  nUsers?: number;
  nItems?: number;
  nInteractions?: number;
  /** Taste clusters (default 16, or the preset's). */
  latentRank?: number;
  /** Zipf exponent of item popularity (default 1, or the preset's). */
  popularityExponent?: number;
  /** Ratings 1–5 when true, play counts when false (default false). */
  explicit?: boolean;
  seed?: number;
  threads?: number;
}

export interface SyntheticData extends Interactions {
  /** Seconds since the Unix epoch, increasing within each user. */
  timestamps: Uint32Array;
}

/** One face over the ALS core, whichever build (native addon or WASM) runs it. */
export interface Engine {
  readonly kind: 'native' | 'wasm';
  /**
   * Trains ALS off the JS thread. The native engine reads `data`'s arrays in place (no copy):
   * do not transfer or resize their buffers until the promise settles.
   */
  fit(data: Interactions, params?: Partial<AlsParams>, options?: FitOptions): Promise<FactorModel>;
  /** Exact top-k items for many users, off the JS thread. */
  topK(factors: UserItemFactors, options: TopKOptions): Promise<TopK>;
  /** For each query item, the k most cosine-similar items (the query excluded). */
  similarItems(factors: ItemFactors, items: Uint32Array, k: number, options?: { threads?: number }): Promise<TopK>;
  /**
   * EASE's item-item weights B (nItems × nItems, row-major) for the (user, item) pairs of `x`
   * (each pair counts once; values ignored): B = I − P·diagMat(1/diag(P)), P = (XᵀX + λI)⁻¹, off
   * the JS thread (the Rust core's Cholesky inverse).
   */
  easeWeights(x: Pick<Interactions, 'nUsers' | 'nItems' | 'users' | 'items'>, lambda: number, options?: { threads?: number }): Promise<Float32Array>;
  /** Prepares fold-in against the model's item factors (params as used in training). */
  createFoldIn(factors: ItemFactors, params?: Partial<AlsParams>): FoldIn;
  generateSynthetic(spec: SyntheticSpec): Promise<SyntheticData>;
  /** The SIMD kernel in use. */
  kernelName(): string;
  /** Forces a kernel for the process (null = auto-detect); throws if the CPU lacks it. Returns the active one. */
  forceKernel(name: KernelName | null): string;
}
