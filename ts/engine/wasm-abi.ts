// Owns the contract of the raw WebAssembly module (native/als*.wasm, built from crates/als-wasm):
// its exports and imports, kernel codes, and the flat encodings of parameters and
// synthetic specs. Only wasm-client.ts calls the exports.

/** Exports of crates/als-wasm. Pointers and sizes are byte offsets/counts in `memory`. */
export interface AbiExports {
  memory: WebAssembly.Memory;
  als_init(): void;
  als_alloc(size: number): number;
  als_free(ptr: number, size: number): void;
  als_error_code(): number;
  als_error_ptr(): number;
  als_error_len(): number;
  als_validate_params(params: number): number;
  als_fit(nUsers: number, nItems: number, nnz: number, users: number, items: number, values: number, params: number, outUsers: number, outItems: number): number;
  als_top_k(
    rank: number,
    userFactors: number,
    nUserRows: number,
    itemFactors: number,
    nItems: number,
    hasList: number,
    users: number,
    nList: number,
    k: number,
    hasExclude: number,
    exclUsers: number,
    exclItems: number,
    exclNnz: number,
    outItems: number,
    outScores: number,
  ): number;
  als_similar_items(rank: number, itemFactors: number, nItems: number, items: number, n: number, k: number, outItems: number, outScores: number): number;
  als_ease_weights(nUsers: number, nItems: number, nnz: number, users: number, items: number, lambda: number, out: number): number;
  als_fold_in_new(rank: number, itemFactors: number, nItems: number, params: number, outHandle: number): number;
  als_fold_in_free(handle: number): void;
  als_fold_in_user_vector(handle: number, items: number, values: number, n: number, outVector: number): number;
  als_fold_in_recommend(handle: number, items: number, values: number, n: number, k: number, outVector: number, outItems: number, outScores: number): number;
  als_generate_synthetic(spec: number, out: number): number;
  als_shard_new(
    nUsers: number,
    nItems: number,
    nnz: number,
    users: number,
    items: number,
    values: number,
    params: number,
    userLo: number,
    userHi: number,
    itemLo: number,
    itemHi: number,
    keepData: number,
    outHandle: number,
  ): number;
  /** Pointer to the shard's full factors of a side (0 users, 1 items). */
  als_shard_factors(handle: number, side: number): number;
  als_shard_step(handle: number, side: number): number;
  als_shard_loss(handle: number, out: number): number;
  als_shard_free(handle: number): void;
  als_kernel(): number;
  als_force_kernel(code: number): number;
  als_panic_for_test(): void;
}

/** Imports the module expects (module "env"). */
export interface AbiImports {
  now_seconds(): number;
  /** Returns 1 to go on training, 0 to stop. */
  on_iteration(iteration: number, hasLoss: number, loss: number, seconds: number, elapsed: number): number;
}

/** Kernel names by code (als_kernel / als_force_kernel; 0 = default). */
export const KERNELS = ['', 'avx512', 'avx2+fma', 'portable', 'simd128'] as const;

/** Order of the numbers in the flat parameter array (crates/als-wasm/src/params.rs). */
export const PARAM_ORDER = [
  'rank',
  'maxIter',
  'regParam',
  'implicitPrefs',
  'alpha',
  'nonnegative',
  'seed',
  'solver',
  'cgSteps',
  'blockSize',
  'unobservedWeight',
  'regExponent',
  'regScaling',
  'confidence',
  'confidenceEpsilon',
  'threads',
  'computeLoss',
] as const;

/** Codes of the string-valued parameters. */
export const SOLVER_CODES = { cholesky: 0, cg: 1, block: 2 } as const;
export const REG_SCALING_CODES = { spark: 0, plain: 1, frequency: 2 } as const;
export const CONFIDENCE_CODES = { 'one-plus-alpha': 0, linear: 1, log: 2 } as const;

/** Order of the numbers in the flat synthetic spec (crates/als-wasm/src/synthetic.rs). */
export const SPEC_ORDER = ['nUsers', 'nItems', 'nInteractions', 'latentRank', 'popularityExponent', 'explicit', 'seed'] as const;
