// Owns the contract of the raw native addon (native/als.node, built from crates/als-node): the
// exact functions and shapes it exports. Only native.ts should call it directly.

import type { AlsParams, FactorModel, Interactions, IterationReport, ItemFactors, KernelName, Recommendation, SyntheticData, SyntheticSpec, TopK, UserItemFactors } from './types.js';

export interface AddonTopKOptions {
  k: number;
  users?: Uint32Array;
  exclude?: { nUsers: number; nItems: number; users: Uint32Array; items: Uint32Array };
  threads?: number;
}

/** An instance made by `new addon.FoldIn(factors, params)`. */
export interface AddonFoldIn {
  readonly nItems: number;
  readonly rank: number;
  userVector(items: Uint32Array, values: Float32Array): Float32Array;
  recommend(items: Uint32Array, values: Float32Array, k: number): Recommendation;
  recommendMany(offsets: Uint32Array, items: Uint32Array, values: Float32Array, k: number): Recommendation;
}

export interface Addon {
  fit(data: Interactions, params: Partial<AlsParams> | undefined, onIteration: ((report: IterationReport) => boolean | void) | undefined, withFactors?: boolean): Promise<FactorModel>;
  topK(factors: UserItemFactors, options: AddonTopKOptions, onProgress: ((done: number, total: number) => void) | undefined): Promise<TopK>;
  similarItems(factors: ItemFactors, items: Uint32Array, k: number, threads: number | undefined): Promise<TopK>;
  easeWeights(x: Pick<Interactions, 'nUsers' | 'nItems' | 'users' | 'items'>, lambda: number, threads: number | undefined): Promise<Float32Array>;
  generateSynthetic(spec: SyntheticSpec): Promise<SyntheticData>;
  kernelName(): string;
  forceKernel(name: KernelName | null): string;
  FoldIn: new (factors: ItemFactors, params: Partial<AlsParams> | undefined) => AddonFoldIn;
  /** Test hook: panics inside Rust, on the JS thread or (async) on a worker. */
  _panicForTest(async: boolean): Promise<never> | never;
}
