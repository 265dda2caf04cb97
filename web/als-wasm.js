// The ALS WebAssembly module in the browser, for the "try it" page: loads the SIMD build where
// the browser supports it (else the plain one) and exposes fold-in and similar items over a
// model's item factors. It speaks the module's raw ABI (crates/als-wasm; the Node engine's
// ts/engine/wasm-client.ts is the full client): buffers in linear memory, a status per call and
// the error message read back. Plain ES module, no dependencies.

const STATUS = ['', 'ERR_ALS_INVALID_ARGUMENT', 'ERR_ALS_INVALID_DATA', 'ERR_ALS_NUMERICAL', 'ERR_INVALID_ARG_VALUE', 'ERR_ALS_PANIC'];
const KERNELS = ['', 'avx512', 'avx2+fma', 'portable', 'simd128'];

/** A module using one SIMD instruction: valid only where the browser supports WebAssembly SIMD. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

async function instantiate(url, imports) {
  const response = await fetch(url);
  if (!response.ok) {
    // The API server says why in a JSON body (e.g. the engine is not built there, and how to build it).
    const why = await response.json().then(
      (b) => b?.message,
      () => undefined,
    );
    throw Object.assign(new Error(`could not load ${url}: HTTP ${response.status}${why ? ` — ${why}` : ''}`), { code: 'ERR_WASM_UNAVAILABLE' });
  }
  if (WebAssembly.instantiateStreaming && response.headers.get('content-type') === 'application/wasm') {
    return (await WebAssembly.instantiateStreaming(response, imports)).instance;
  }
  return (await WebAssembly.instantiate(await response.arrayBuffer(), imports)).instance;
}

/**
 * Loads the module. `urls`: { simd, scalar } paths of als-simd.wasm and als.wasm.
 * @returns {Promise<AlsWasm>}
 */
export async function loadAlsWasm(urls) {
  const simd = WebAssembly.validate(SIMD_PROBE);
  const imports = { env: { now_seconds: () => performance.now() / 1000, on_iteration: () => 1 } };
  const instance = await instantiate(simd ? urls.simd : urls.scalar, imports);
  return new AlsWasm(instance.exports);
}

export class AlsWasm {
  constructor(exports) {
    this.x = exports;
    this.x.als_init();
  }

  /** Name of the SIMD kernel in use ("simd128" or "portable"). */
  get kernel() {
    return KERNELS[this.x.als_kernel()] ?? 'unknown';
  }

  /** Throws the last call's error when `status` is not 0. */
  check(status) {
    if (status === 0) return;
    const { memory, als_error_ptr, als_error_len } = this.x;
    const message = new TextDecoder().decode(new Uint8Array(memory.buffer, als_error_ptr(), als_error_len()));
    throw Object.assign(new Error(message), { code: STATUS[status] ?? 'ERR_ALS' });
  }

  /** A buffer holding a copy of `array` (freed by the caller with `free`). */
  copyIn(array) {
    const p = this.x.als_alloc(array.byteLength);
    if (p === 0) throw new Error('out of WebAssembly memory');
    new Uint8Array(this.x.memory.buffer, p, array.byteLength).set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return { p, bytes: array.byteLength };
  }

  free(...buffers) {
    for (const b of buffers) this.x.als_free(b.p, b.bytes);
  }

  alloc(bytes) {
    const p = this.x.als_alloc(bytes);
    if (p === 0) throw new Error('out of WebAssembly memory');
    return { p, bytes };
  }

  /** k items and scores from output buffers (item 0xFFFFFFFF: empty slot). */
  readTop(items, scores, k) {
    return {
      items: new Uint32Array(this.x.memory.buffer, items.p, k).slice(),
      scores: new Float32Array(this.x.memory.buffer, scores.p, k).slice(),
    };
  }

  /** Fold-in against fixed item factors (nItems × rank) with the model's flat fold-in parameters. */
  foldIn(rank, itemFactors, abiParams) {
    const f = this.copyIn(itemFactors);
    const params = this.copyIn(abiParams);
    const out = this.alloc(4);
    try {
      this.check(this.x.als_fold_in_new(rank, f.p, itemFactors.length / rank, params.p, out.p));
      const handle = new Uint32Array(this.x.memory.buffer, out.p, 1)[0];
      return new FoldIn(this, handle, rank);
    } finally {
      this.free(f, params, out);
    }
  }

  /** A persistent copy of item factors for repeated similar-items queries. */
  similarity(rank, itemFactors) {
    return new Similarity(this, rank, itemFactors);
  }
}

class FoldIn {
  constructor(wasm, handle, rank) {
    Object.assign(this, { wasm, handle, rank });
  }

  /** The top-k of a user who gave `values` to `items` (those items excluded): { vector, items, scores }. */
  recommend(items, values, k) {
    const w = this.wasm;
    const i = w.copyIn(Uint32Array.from(items));
    const v = w.copyIn(Float32Array.from(values));
    const [vec, oi, os] = [w.alloc(this.rank * 4), w.alloc(k * 4), w.alloc(k * 4)];
    try {
      w.check(w.x.als_fold_in_recommend(this.handle, i.p, v.p, items.length, k, vec.p, oi.p, os.p));
      return { ...w.readTop(oi, os, k), vector: new Float32Array(w.x.memory.buffer, vec.p, this.rank).slice() };
    } finally {
      w.free(i, v, vec, oi, os);
    }
  }
}

class Similarity {
  constructor(wasm, rank, itemFactors) {
    Object.assign(this, { wasm, rank, nItems: itemFactors.length / rank, factors: wasm.copyIn(itemFactors) });
  }

  /** The k items most cosine-similar to `item` (itself excluded): { items, scores }. */
  similar(item, k) {
    const w = this.wasm;
    const q = w.copyIn(Uint32Array.of(item));
    const [oi, os] = [w.alloc(k * 4), w.alloc(k * 4)];
    try {
      w.check(w.x.als_similar_items(this.rank, this.factors.p, this.nItems, q.p, 1, k, oi.p, os.p));
      return w.readTop(oi, os, k);
    } finally {
      w.free(q, oi, os);
    }
  }
}
