// Owns the marshalling over one instance of the WebAssembly module: copying typed arrays into
// linear memory, calling an export, turning a status into an Error with a `code`, copying
// results out and freeing every buffer. A trap (Rust panic) poisons the instance: every later
// call throws, and the owner makes a new client.
//
// `wasmClient` is SELF-CONTAINED: it is also shipped to the worker thread as source text
// (wasm-worker.ts), so its body must refer to nothing outside itself but globals and its
// parameters (no imports, no module-level constants). Inputs are assumed already validated.

import type { AbiExports, AbiImports } from './wasm-abi.js';
import type { IterationReport, TopK } from './types.js';

/** Factors and results as the client takes and returns them. */
export interface ClientModel {
  userFactors: Float32Array;
  itemFactors: Float32Array;
  iterations: IterationReport[];
}
export interface ClientSynthetic {
  users: Uint32Array;
  items: Uint32Array;
  values: Float32Array;
  timestamps: Uint32Array;
}
export interface ClientCoo {
  nUsers: number;
  nItems: number;
  users: Uint32Array;
  items: Uint32Array;
  values: Float32Array;
}

export interface WasmClient {
  /** True once the instance trapped: every call then throws. */
  readonly poisoned: boolean;
  validateParams(params: Float64Array): void;
  /** `onIteration` returns false to stop; if it throws, training stops and the error is rethrown. */
  fit(data: ClientCoo, params: Float64Array, onIteration: (r: IterationReport) => boolean): ClientModel;
  topK(rank: number, userFactors: Float32Array, itemFactors: Float32Array, k: number, users?: Uint32Array, exclude?: { users: Uint32Array; items: Uint32Array }): TopK;
  similarItems(rank: number, itemFactors: Float32Array, items: Uint32Array, k: number): TopK;
  easeWeights(x: { nUsers: number; nItems: number; users: Uint32Array; items: Uint32Array }, lambda: number): Float32Array;
  foldInNew(rank: number, itemFactors: Float32Array, params: Float64Array): number;
  foldInFree(handle: number): void;
  userVector(handle: number, rank: number, items: Uint32Array, values: Float32Array): Float32Array;
  recommend(handle: number, rank: number, items: Uint32Array, values: Float32Array, k: number): TopK & { vector: Float32Array };
  generateSynthetic(spec: Float64Array): ClientSynthetic;
  /** A fit's share (wasm-pool.ts): user rows [lo, hi) and item rows [lo, hi); `keepData` for the one computing the loss. */
  shardNew(data: ClientCoo, params: Float64Array, users: [number, number], items: [number, number], keepData: boolean): number;
  /** Writes the other side's full factors (unless omitted: the first step uses the initial ones), re-solves this shard's rows of `side` (0 users, 1 items) and returns them. */
  shardStep(handle: number, side: 0 | 1, fixed: Float32Array | undefined): Float32Array;
  shardLoss(handle: number, users: Float32Array, items: Float32Array): number;
  shardFree(handle: number): void;
  kernel(): number;
  forceKernel(code: number): void;
  panicForTest(): void;
}

/** Instantiates `module` (synchronously) and returns its client. `now` is a clock in seconds. */
export function wasmClient(module: WebAssembly.Module, now: () => number): WasmClient {
  const STATUS = ['', 'ERR_ALS_INVALID_ARGUMENT', 'ERR_ALS_INVALID_DATA', 'ERR_ALS_NUMERICAL', 'ERR_INVALID_ARG_VALUE', 'ERR_ALS_PANIC'];
  const PANIC = 5;
  const MAX_BYTES = 0x7fff_fff8;
  const fail = (code: string, message: string) => Object.assign(new Error(message), { code });
  let iterationSink: AbiImports['on_iteration'] = () => 1;
  const imports: AbiImports = { now_seconds: () => now(), on_iteration: (...a) => iterationSink(...a) };
  const instance = new WebAssembly.Instance(module, { env: { ...imports } });
  const x = instance.exports as unknown as AbiExports;
  x.als_init();
  let poisoned = false;

  const message = () => new TextDecoder().decode(new Uint8Array(x.memory.buffer, x.als_error_ptr(), x.als_error_len()));

  /** Runs an export: a non-zero status throws its code and message; a trap poisons the instance. */
  function call(f: () => number | void): void {
    if (poisoned) throw fail('ERR_ALS_PANIC', 'internal error: this WebAssembly instance trapped earlier');
    let status: number | void;
    try {
      status = f();
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      poisoned = true;
      const why = x.als_error_code() === PANIC ? message() : (e as Error).message;
      throw fail('ERR_ALS_PANIC', `internal error (Rust panic): ${why}`);
    }
    if (typeof status === 'number' && status !== 0) throw fail(STATUS[status] ?? 'ERR_ALS', message());
  }

  /** Buffers allocated for one call, all freed by `free()` (unless the instance trapped). */
  function scope() {
    const held: [number, number][] = [];
    const alloc = (bytes: number): number => {
      const p = bytes > MAX_BYTES ? 0 : x.als_alloc(bytes);
      if (p === 0) throw fail('ERR_ALS_OUT_OF_MEMORY', `out of WebAssembly memory (asked for ${bytes} bytes)`);
      held.push([p, bytes]);
      return p;
    };
    return {
      alloc,
      input(a: Uint32Array | Float32Array | Float64Array): number {
        const p = alloc(a.byteLength);
        new Uint8Array(x.memory.buffer, p, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
        return p;
      },
      free() {
        if (!poisoned) for (const [p, n] of held) x.als_free(p, n);
      },
    };
  }
  const f32 = (p: number, n: number) => new Float32Array(x.memory.buffer, p, n).slice();
  const shards = new Map<number, { rank: number; n: [number, number]; rows: [[number, number], [number, number]] }>();
  const setFactors = (handle: number, side: number, values: Float32Array) => new Float32Array(x.memory.buffer, x.als_shard_factors(handle, side), values.length).set(values);
  const u32 = (p: number, n: number) => new Uint32Array(x.memory.buffer, p, n).slice();

  function top(run: (outItems: number, outScores: number) => number | void, rows: number, k: number): TopK {
    const s = scope();
    try {
      const [oi, os] = [s.alloc(rows * k * 4), s.alloc(rows * k * 4)];
      call(() => run(oi, os));
      return { k, rows, items: u32(oi, rows * k), scores: f32(os, rows * k) };
    } finally {
      s.free();
    }
  }

  return {
    get poisoned() {
      return poisoned;
    },
    validateParams(params) {
      const s = scope();
      try {
        const p = s.input(params);
        call(() => x.als_validate_params(p));
      } finally {
        s.free();
      }
    },
    fit(data, params, onIteration) {
      const rank = params[0] as number;
      const s = scope();
      const iterations: IterationReport[] = [];
      let thrown: { error: unknown } | null = null;
      iterationSink = (iteration, hasLoss, loss, seconds, elapsed) => {
        const r = { iteration, loss: hasLoss ? loss : null, seconds, elapsed };
        iterations.push(r);
        try {
          return onIteration(r) ? 1 : 0;
        } catch (error) {
          thrown = { error };
          return 0;
        }
      };
      try {
        const n = data.users.length;
        const [u, i, v, p] = [s.input(data.users), s.input(data.items), s.input(data.values), s.input(params)];
        const [ou, oi] = [s.alloc(data.nUsers * rank * 4), s.alloc(data.nItems * rank * 4)];
        call(() => x.als_fit(data.nUsers, data.nItems, n, u, i, v, p, ou, oi));
        if (thrown) throw (thrown as { error: unknown }).error;
        return { userFactors: f32(ou, data.nUsers * rank), itemFactors: f32(oi, data.nItems * rank), iterations };
      } finally {
        iterationSink = () => 1;
        s.free();
      }
    },
    topK(rank, userFactors, itemFactors, k, users, exclude) {
      const s = scope();
      try {
        const [uf, itf] = [s.input(userFactors), s.input(itemFactors)];
        const list = users ? s.input(users) : 0;
        const [eu, ei] = exclude ? [s.input(exclude.users), s.input(exclude.items)] : [0, 0];
        const nRows = userFactors.length / rank;
        const rows = users ? users.length : nRows;
        return top(
          (oi, os) => x.als_top_k(rank, uf, nRows, itf, itemFactors.length / rank, users ? 1 : 0, list, users?.length ?? 0, k, exclude ? 1 : 0, eu, ei, exclude?.users.length ?? 0, oi, os),
          rows,
          k,
        );
      } finally {
        s.free();
      }
    },
    similarItems(rank, itemFactors, items, k) {
      const s = scope();
      try {
        const [itf, q] = [s.input(itemFactors), s.input(items)];
        return top((oi, os) => x.als_similar_items(rank, itf, itemFactors.length / rank, q, items.length, k, oi, os), items.length, k);
      } finally {
        s.free();
      }
    },
    easeWeights(data, lambda) {
      const s = scope();
      try {
        const [u, i, out] = [s.input(data.users), s.input(data.items), s.alloc(data.nItems * data.nItems * 4)];
        call(() => x.als_ease_weights(data.nUsers, data.nItems, data.users.length, u, i, lambda, out));
        return f32(out, data.nItems * data.nItems);
      } finally {
        s.free();
      }
    },
    foldInNew(rank, itemFactors, params) {
      const s = scope();
      try {
        const [itf, p, out] = [s.input(itemFactors), s.input(params), s.alloc(4)];
        call(() => x.als_fold_in_new(rank, itf, itemFactors.length / rank, p, out));
        return new Uint32Array(x.memory.buffer, out, 1)[0] as number;
      } finally {
        s.free();
      }
    },
    foldInFree(handle) {
      if (!poisoned) x.als_fold_in_free(handle);
    },
    userVector(handle, rank, items, values) {
      const s = scope();
      try {
        const [i, v, out] = [s.input(items), s.input(values), s.alloc(rank * 4)];
        call(() => x.als_fold_in_user_vector(handle, i, v, items.length, out));
        return f32(out, rank);
      } finally {
        s.free();
      }
    },
    recommend(handle, rank, items, values, k) {
      const s = scope();
      try {
        const [i, v, vec] = [s.input(items), s.input(values), s.alloc(rank * 4)];
        const t = top((oi, os) => x.als_fold_in_recommend(handle, i, v, items.length, k, vec, oi, os), 1, k);
        return { ...t, vector: f32(vec, rank) };
      } finally {
        s.free();
      }
    },
    generateSynthetic(spec) {
      const s = scope();
      try {
        const [p, out] = [s.input(spec), s.alloc(5 * 4)];
        call(() => x.als_generate_synthetic(p, out));
        const [users, items, values, timestamps, n] = Array.from(new Uint32Array(x.memory.buffer, out, 5));
        const count = n as number;
        const result = { users: u32(users as number, count), items: u32(items as number, count), values: f32(values as number, count), timestamps: u32(timestamps as number, count) };
        for (const q of [users, items, values, timestamps]) x.als_free(q as number, count * 4);
        return result;
      } finally {
        s.free();
      }
    },
    shardNew(data, params, users, items, keepData) {
      const s = scope();
      try {
        const [u, i, v, p, out] = [s.input(data.users), s.input(data.items), s.input(data.values), s.input(params), s.alloc(4)];
        call(() => x.als_shard_new(data.nUsers, data.nItems, data.users.length, u, i, v, p, users[0], users[1], items[0], items[1], keepData ? 1 : 0, out));
        const handle = new Uint32Array(x.memory.buffer, out, 1)[0] as number;
        shards.set(handle, { rank: params[0] as number, n: [data.nUsers, data.nItems], rows: [users, items] });
        return handle;
      } finally {
        s.free();
      }
    },
    shardStep(handle, side, fixed) {
      const sh = shards.get(handle) as { rank: number; n: [number, number]; rows: [[number, number], [number, number]] };
      if (fixed) setFactors(handle, 1 - side, fixed);
      call(() => x.als_shard_step(handle, side));
      const [lo, hi] = sh.rows[side];
      return f32(x.als_shard_factors(handle, side) + lo * sh.rank * 4, (hi - lo) * sh.rank);
    },
    shardLoss(handle, users, items) {
      setFactors(handle, 0, users);
      setFactors(handle, 1, items);
      const s = scope();
      try {
        const out = s.alloc(8);
        call(() => x.als_shard_loss(handle, out));
        return new Float64Array(x.memory.buffer, out, 1)[0] as number;
      } finally {
        s.free();
      }
    },
    shardFree(handle) {
      if (shards.delete(handle) && !poisoned) x.als_shard_free(handle);
    },
    kernel: () => x.als_kernel(),
    forceKernel(code) {
      call(() => x.als_force_kernel(code));
    },
    panicForTest() {
      call(() => x.als_panic_for_test());
    },
  };
}
