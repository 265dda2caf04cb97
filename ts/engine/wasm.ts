// Owns the WASM engine: finds and compiles the best module this runtime validates
// (native/als-relaxed.wasm, als-simd.wasm, else als.wasm; committed, rebuilt by `pnpm build:wasm`)
// and implements `Engine` over it. Arguments are
// checked here as the native addon checks them; fit, topK, similarItems and generateSynthetic run
// on a worker thread (wasm-worker.ts), fit on one per core (wasm-pool.ts, `threads` as native);
// fold-in and kernels run on this thread's own instance.

import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import { packageRoot } from '../util/package-root.js';
import { KERNELS } from './wasm-abi.js';
import {
  checkFinite,
  checkIndices,
  checkSameLength,
  func,
  inContext,
  integer,
  number,
  object,
  readFactors,
  readInteractions,
  readThreads,
  string,
  typed,
  U32_MAX,
  validateFactors,
  validateInteractions,
  valueError,
} from './wasm-args.js';
import { wasmClient, type ClientModel, type ClientSynthetic, type WasmClient } from './wasm-client.js';
import { fitThreads, paramAt, readParams, readSyntheticSpec } from './wasm-params.js';
import { shardedFit } from './wasm-pool.js';
import { WasmWorker } from './wasm-worker.js';
import type { Engine, FoldIn, IterationReport, KernelName, TopK } from './types.js';

/** relaxed: simd128 plus relaxed-simd (fused multiply-add); simd: simd128; scalar: no SIMD. */
export type WasmVariant = 'relaxed' | 'simd' | 'scalar';
const FILES: Record<WasmVariant, string> = { relaxed: 'als-relaxed.wasm', simd: 'als-simd.wasm', scalar: 'als.wasm' };

/** Path of a module: $ALS_WASM_PATH, else <repo>/native/als-simd.wasm or als.wasm. */
export function wasmModulePath(variant: WasmVariant = 'simd'): string {
  return process.env.ALS_WASM_PATH ?? join(packageRoot(), 'native', FILES[variant]);
}

const compiled = new Map<string, WebAssembly.Module>();

/** Compiles a module (once per path); throws a clear error when it has not been built. */
export function loadWasmModule(path: string): WebAssembly.Module {
  const cached = compiled.get(path);
  if (cached) return cached;
  if (!existsSync(path)) throw new Error(`als engine: WebAssembly module not found at ${path}; run \`pnpm build:wasm\` first`);
  const module = new WebAssembly.Module(readFileSync(path));
  compiled.set(path, module);
  return module;
}

/** The best module this runtime validates (relaxed-simd, then simd128, then none), or the one asked for. */
export function pickWasmModule(variant?: WasmVariant): { module: WebAssembly.Module; variant: WasmVariant; path: string } {
  if (variant === undefined) {
    for (const v of ['relaxed', 'simd'] as const) {
      const path = wasmModulePath(v);
      if (existsSync(path) && WebAssembly.validate(readFileSync(path))) return { module: loadWasmModule(path), variant: v, path };
    }
    variant = 'scalar';
  }
  const path = wasmModulePath(variant);
  return { module: loadWasmModule(path), variant, path };
}

const now = () => performance.now() / 1000;

/** Runs `f`, prefixing any coded error with `context` (as the addon names the function). */
function named<T>(context: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    return inContext(context, e);
  }
}

async function namedAsync<T>(context: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    return inContext(context, e);
  }
}

export interface WasmEngine extends Engine {
  readonly variant: WasmVariant;
  /** Worker threads a fit runs on. */
  readonly threads: number;
  /** Test hook: a Rust panic on this thread (throws) or on the worker (rejects); the instance is then replaced. */
  _panicForTest(onWorker: boolean): Promise<never> | never;
}

const KERNEL_NAMES: Record<string, number> = { avx512: 1, avx2: 2, 'avx2+fma': 2, portable: 3, scalar: 3, simd128: 4 };

/** The `Engine` backed by a WebAssembly module (default: the best one built). */
export function createWasmEngine(options: { variant?: WasmVariant; module?: WebAssembly.Module } = {}): WasmEngine {
  const picked = options.module ? { module: options.module, variant: options.variant ?? 'simd' } : pickWasmModule(options.variant);
  const module = picked.module;
  const worker = new WasmWorker(module);
  // Fits spread over one worker per core (wasm-pool.ts); the others start on first use.
  const cores = Math.max(1, availableParallelism());
  const workers = [worker];
  let forced = 0;
  const pool = (n: number): WasmWorker[] => {
    while (workers.length < n) {
      const w = new WasmWorker(module);
      if (forced !== 0) void w.request({ op: 'forceKernel', code: forced }).catch(() => undefined);
      workers.push(w);
    }
    return workers.slice(0, n);
  };
  let client: WasmClient = wasmClient(module, now);
  /** This thread's instance, replaced after a trap. */
  const local = (): WasmClient => {
    if (client.poisoned) {
      client = wasmClient(module, now);
      if (forced !== 0) client.forceKernel(forced);
    }
    return client;
  };
  const release = new FinalizationRegistry<{ owner: WasmClient; handle: number }>(({ owner, handle }) => owner.foldInFree(handle));

  return {
    kind: 'wasm',
    variant: picked.variant,
    threads: cores,
    fit: (data, params, options) =>
      namedAsync('fit', async () => {
        const coo = readInteractions(data, 'data', true);
        const flat = readParams(params, 'params');
        local().validateParams(flat);
        const cb = options?.onIteration == null ? undefined : (func(options.onIteration, 'onIteration') as (r: IterationReport) => unknown);
        validateInteractions(coo, 'data');
        const values = coo.values as Float32Array;
        const onIteration = cb && ((r: IterationReport) => cb(r) !== false);
        const threads = fitThreads(flat, cores);
        const m =
          threads > 1
            ? await shardedFit(pool(threads), { ...coo, values }, flat, now, onIteration)
            : await worker.request<ClientModel>({ op: 'fit', data: { ...coo, values }, params: flat, report: cb !== undefined }, onIteration);
        const rank = paramAt(flat, 'rank');
        return { rank, nUsers: coo.nUsers, nItems: coo.nItems, ...m, kernel: kernelName(local()) };
      }),
    topK: (factors, options) =>
      namedAsync('topK', async () => {
        const f = readFactors(factors, 'factors', true);
        const [nUsers, nItems] = [f.userFactors.length / f.rank, f.itemFactors.length / f.rank];
        const opts = object(options, 'options');
        const k = integer(opts.k, 'options.k', 1, U32_MAX);
        readThreads(opts.threads, 'options.threads');
        const users = opts.users == null ? undefined : typed(opts.users, 'options.users', Uint32Array);
        if (users) checkIndices(users, nUsers, 'options.users', 'number of user factor rows');
        const ex0 = opts.exclude as { users?: unknown; items?: unknown } | undefined;
        const exclude = ex0 == null ? undefined : readInteractions({ nUsers, nItems, users: ex0.users, items: ex0.items }, 'options.exclude', false);
        const progress = opts.onProgress == null ? undefined : func(opts.onProgress, 'onProgress');
        validateFactors(f, 'factors');
        if (exclude) validateInteractions(exclude, 'options.exclude');
        const ex = exclude && { users: exclude.users, items: exclude.items };
        const top = await worker.request<TopK>({ op: 'topK', rank: f.rank, userFactors: f.userFactors, itemFactors: f.itemFactors, k, ...(users && { users }), ...(ex && { exclude: ex }) });
        (progress as ((d: number, t: number) => void) | undefined)?.(top.rows, top.rows);
        return top;
      }),
    similarItems: (factors, items, k, options) =>
      namedAsync('similarItems', async () => {
        const f = readFactors(factors, 'factors', false);
        const query = typed(items, 'items', Uint32Array);
        checkIndices(query, f.itemFactors.length / f.rank, 'items', 'number of items');
        const kk = integer(k, 'k', 1, U32_MAX);
        readThreads(options?.threads, 'threads');
        validateFactors(f, 'factors');
        return worker.request<TopK>({ op: 'similarItems', rank: f.rank, itemFactors: f.itemFactors, items: query, k: kk });
      }),
    easeWeights: (x, lambda, options) =>
      namedAsync('easeWeights', async () => {
        const data = readInteractions(x, 'x', false);
        const l = number(lambda, 'lambda');
        readThreads(options?.threads, 'threads');
        validateInteractions(data, 'x');
        return (await worker.request<{ weights: Float32Array }>({ op: 'easeWeights', x: { nUsers: data.nUsers, nItems: data.nItems, users: data.users, items: data.items }, lambda: l })).weights;
      }),
    createFoldIn: (factors, params) =>
      named('new FoldIn', () => {
        const f = readFactors(factors, 'factors', false);
        validateFactors(f, 'factors');
        const owner = local();
        const handle = owner.foldInNew(f.rank, f.itemFactors, readParams(params, 'params'));
        const fold = createFoldIn(owner, handle, f.rank, f.itemFactors.length / f.rank);
        release.register(fold, { owner, handle });
        return fold;
      }),
    generateSynthetic: (spec) =>
      namedAsync('generateSynthetic', async () => {
        const s = readSyntheticSpec(spec);
        const d = await worker.request<ClientSynthetic>({ op: 'generateSynthetic', spec: s.flat });
        return { nUsers: s.nUsers, nItems: s.nItems, ...d };
      }),
    kernelName: () => kernelName(local()),
    forceKernel: (name: KernelName | null) =>
      named('forceKernel', () => {
        let code = 0;
        if (name !== null && name !== undefined) {
          const s = string(name, 'name');
          code = Object.hasOwn(KERNEL_NAMES, s) ? (KERNEL_NAMES[s] as number) : -1;
          if (code < 0) valueError(`name must be "avx512", "avx2+fma", "simd128", "portable" or null, got "${s}"`);
        }
        local().forceKernel(code);
        forced = code;
        for (const w of workers) void w.request({ op: 'forceKernel', code }).catch(() => undefined);
        return kernelName(local());
      }),
    _panicForTest: (onWorker) =>
      onWorker
        ? namedAsync('_panicForTest', () => worker.request<never>({ op: 'panicForTest' }))
        : named('_panicForTest', () => {
            local().panicForTest();
            throw new Error('unreachable: the panic hook did not panic');
          }),
  };
}

function kernelName(c: WasmClient): string {
  return KERNELS[c.kernel()] ?? 'unknown';
}

/** A fold-in over a handle of `owner`'s instance (freed when the object is collected). */
function createFoldIn(owner: WasmClient, handle: number, rank: number, nItems: number): FoldIn {
  const history = (items: unknown, values: unknown) => {
    const i = typed(items, 'items', Uint32Array);
    const v = typed(values, 'values', Float32Array);
    checkSameLength(['items', 'values'], [i.length, v.length]);
    checkIndices(i, nItems, 'items', 'nItems');
    checkFinite(v, 'values');
    return [i, v] as const;
  };
  return {
    nItems,
    rank,
    userVector: (items, values) => named('FoldIn.userVector', () => owner.userVector(handle, rank, ...history(items, values))),
    recommend: (items, values, k) =>
      named('FoldIn.recommend', () => {
        const [i, v] = history(items, values);
        return owner.recommend(handle, rank, i, v, integer(k, 'k', 1, U32_MAX));
      }),
  };
}
