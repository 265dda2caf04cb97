// Owns running the WASM engine's long operations (fit, topK, similarItems, generateSynthetic) on
// a worker thread, so they never block the JS thread, as the native addon's thread pool does.
// The worker's code is `workerMain` and `wasmClient` as source text (both self-contained), so it
// runs the same from TypeScript sources (tests) and compiled JS. Iteration callbacks: the worker
// posts each report and blocks on a shared Int32Array until the JS thread answers go on or stop.

import { Worker } from 'node:worker_threads';

import { wasmClient, type ClientCoo } from './wasm-client.js';
import type { IterationReport } from './types.js';

/** An operation for the worker (inputs already validated). */
export type WorkerOp =
  | { op: 'fit'; data: ClientCoo; params: Float64Array; report: boolean }
  | { op: 'topK'; rank: number; userFactors: Float32Array; itemFactors: Float32Array; k: number; users?: Uint32Array; exclude?: { users: Uint32Array; items: Uint32Array } }
  | { op: 'similarItems'; rank: number; itemFactors: Float32Array; items: Uint32Array; k: number }
  | { op: 'easeWeights'; x: { nUsers: number; nItems: number; users: Uint32Array; items: Uint32Array }; lambda: number }
  | { op: 'generateSynthetic'; spec: Float64Array }
  | { op: 'shardNew'; data: ClientCoo; params: Float64Array; users: [number, number]; items: [number, number]; keepData: boolean }
  | { op: 'shardStep'; handle: number; side: 0 | 1; fixed: Float32Array | undefined }
  | { op: 'shardLoss'; handle: number; users: Float32Array; items: Float32Array }
  | { op: 'shardFree'; handle: number }
  | { op: 'forceKernel'; code: number }
  | { op: 'panicForTest' };

type Request = WorkerOp & { id: number };
type Reply = { id: number; iteration: IterationReport } | { id: number; ok: true; result: unknown } | { id: number; ok: false; code: string; message: string };

/** The worker thread's program. SELF-CONTAINED: shipped as source text; refers only to globals. */
function workerMain(makeClient: typeof wasmClient): void {
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const port = threads.parentPort as import('node:worker_threads').MessagePort;
  const { module, sync } = threads.workerData as { module: WebAssembly.Module; sync: Int32Array };
  const now = () => performance.now() / 1000;
  let client = makeClient(module, now);
  let kernel = 0;
  port.on('message', (m: Request) => {
    try {
      if (client.poisoned) {
        client = makeClient(module, now);
        if (kernel !== 0) client.forceKernel(kernel);
      }
      const ask = (iteration: IterationReport): boolean => {
        port.postMessage({ id: m.id, iteration });
        Atomics.wait(sync, 0, 0);
        const go = Atomics.load(sync, 1) === 1;
        Atomics.store(sync, 0, 0);
        return go;
      };
      let result: object | null = null;
      if (m.op === 'fit') result = client.fit(m.data, m.params, m.report ? ask : () => true);
      else if (m.op === 'topK') result = client.topK(m.rank, m.userFactors, m.itemFactors, m.k, m.users, m.exclude);
      else if (m.op === 'similarItems') result = client.similarItems(m.rank, m.itemFactors, m.items, m.k);
      else if (m.op === 'easeWeights') result = { weights: client.easeWeights(m.x, m.lambda) };
      else if (m.op === 'generateSynthetic') result = client.generateSynthetic(m.spec);
      else if (m.op === 'shardNew') result = { handle: client.shardNew(m.data, m.params, m.users, m.items, m.keepData) };
      else if (m.op === 'shardStep') result = { rows: client.shardStep(m.handle, m.side, m.fixed) };
      else if (m.op === 'shardLoss') result = { loss: client.shardLoss(m.handle, m.users, m.items) };
      else if (m.op === 'shardFree') client.shardFree(m.handle);
      else if (m.op === 'panicForTest') client.panicForTest();
      else {
        client.forceKernel(m.code);
        kernel = m.code;
      }
      const buffers = Object.values(result ?? {})
        .filter((v) => ArrayBuffer.isView(v))
        .map((v) => (v as Uint8Array).buffer as ArrayBuffer);
      port.postMessage({ id: m.id, ok: true, result }, buffers);
    } catch (e) {
      const err = e as { code?: unknown; message?: unknown };
      const code = typeof err.code === 'string' ? err.code : 'ERR_ALS_WORKER';
      port.postMessage({ id: m.id, ok: false, code, message: String(err.message ?? e) });
    }
  });
}

const SOURCE = `(${workerMain.toString()})(${wasmClient.toString()})`;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onIteration: ((r: IterationReport) => boolean) | undefined;
  thrown?: { error: unknown };
}

/** One worker thread with its own instance of `module`, started on first use. */
export class WasmWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly sync = new Int32Array(new SharedArrayBuffer(8));

  constructor(private readonly module: WebAssembly.Module) {}

  /** Runs `op` on the worker. `onIteration` (fit) returns false to stop; if it throws, the fit rejects with that error. */
  request<T>(op: WorkerOp, onIteration?: (r: IterationReport) => boolean): Promise<T> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onIteration });
      worker.ref(); // keep the process alive while work is pending
      worker.postMessage({ ...op, id } satisfies Request);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(SOURCE, { eval: true, workerData: { module: this.module, sync: this.sync } });
    worker.on('message', (m: Reply) => this.receive(m));
    const lost = (e: unknown) => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(Object.assign(new Error(`the WebAssembly worker exited (code ${code})`), { code: 'ERR_ALS_WORKER' })));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private receive(m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if ('iteration' in m) {
      let go = p.thrown === undefined;
      if (go && p.onIteration) {
        try {
          go = p.onIteration(m.iteration);
        } catch (error) {
          p.thrown = { error };
          go = false;
        }
      }
      Atomics.store(this.sync, 1, go ? 1 : 0);
      Atomics.store(this.sync, 0, 1);
      Atomics.notify(this.sync, 0);
      return;
    }
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (p.thrown) p.reject(p.thrown.error);
    else if (m.ok) p.resolve(m.result);
    else p.reject(Object.assign(new Error(m.message), { code: m.code }));
  }
}
