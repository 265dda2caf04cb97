// Owns the multi-threaded WASM fit. wasm32 has no threads, so the engine runs one instance per
// worker thread (WasmWorker) and splits each half-step's rows between them (crates/als-wasm
// shard.rs): every worker holds the data, its rows of users and of items (split so each gets
// about the same work, ~ interactions + rank per row), and gets the full factors of the fixed
// side before each step; this thread gathers the solved rows. The factors are bit for bit those
// of a one-instance fit. The loss, when asked for, is computed by the first worker.

import type { ClientCoo, ClientModel } from './wasm-client.js';
import type { WasmWorker } from './wasm-worker.js';
import type { IterationReport } from './types.js';
import { paramAt } from './wasm-params.js';

const USERS = 0;
const ITEMS = 1;

/** Splits rows 0..counts.length into `parts` contiguous ranges of about equal Σ (count + extra). */
export function splitRows(counts: Uint32Array, parts: number, extra: number): [number, number][] {
  let total = 0;
  for (const c of counts) total += c + extra;
  const ranges: [number, number][] = [];
  let [lo, acc] = [0, 0];
  for (let r = 0; r < counts.length && ranges.length < parts - 1; r++) {
    acc += (counts[r] as number) + extra;
    if (acc >= (total * (ranges.length + 1)) / parts) {
      ranges.push([lo, r + 1]);
      lo = r + 1;
    }
  }
  ranges.push([lo, counts.length]);
  while (ranges.length < parts) ranges.push([counts.length, counts.length]);
  return ranges;
}

function rowCounts(ids: Uint32Array, n: number): Uint32Array {
  const counts = new Uint32Array(n);
  for (const id of ids) counts[id] = (counts[id] as number) + 1;
  return counts;
}

/** Fits on `workers` (two or more); `onIteration` returns false to stop, and what it throws rejects the fit. */
export async function shardedFit(workers: WasmWorker[], data: ClientCoo, params: Float64Array, now: () => number, onIteration?: (r: IterationReport) => boolean): Promise<ClientModel> {
  const [rank, maxIter, computeLoss] = [paramAt(params, 'rank'), paramAt(params, 'maxIter'), paramAt(params, 'computeLoss') !== 0];
  const userRows = splitRows(rowCounts(data.users, data.nUsers), workers.length, rank);
  const itemRows = splitRows(rowCounts(data.items, data.nItems), workers.length, rank);
  const created = await Promise.allSettled(
    workers.map((w, s) =>
      w.request<{ handle: number }>({ op: 'shardNew', data, params, users: userRows[s] as [number, number], items: itemRows[s] as [number, number], keepData: s === 0 && computeLoss }),
    ),
  );
  const handles = created.map((c) => (c.status === 'fulfilled' ? c.value.handle : null));
  try {
    const failed = created.find((c) => c.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const factors = [new Float32Array(data.nUsers * rank), new Float32Array(data.nItems * rank)] as const;
    const rows = [userRows, itemRows] as const;
    /** Re-solves `side` on every worker (giving each the other side, unless it still has the initial one) and gathers it. */
    const step = async (side: 0 | 1, fixed: Float32Array | undefined) => {
      const parts = await Promise.all(workers.map((w, s) => w.request<{ rows: Float32Array }>({ op: 'shardStep', handle: handles[s] as number, side, fixed })));
      parts.forEach((p, s) => factors[side].set(p.rows, (rows[side][s] as [number, number])[0] * rank));
    };
    const iterations: IterationReport[] = [];
    const start = now();
    for (let iteration = 1; iteration <= maxIter; iteration++) {
      const t = now();
      await step(ITEMS, iteration === 1 ? undefined : factors[USERS]);
      await step(USERS, factors[ITEMS]);
      const seconds = now() - t;
      let loss: number | null = null;
      if (computeLoss) {
        loss = (await (workers[0] as WasmWorker).request<{ loss: number }>({ op: 'shardLoss', handle: handles[0] as number, users: factors[USERS], items: factors[ITEMS] })).loss;
      }
      const report = { iteration, loss, seconds, elapsed: now() - start };
      iterations.push(report);
      if (onIteration && !onIteration(report)) break;
    }
    return { userFactors: factors[USERS], itemFactors: factors[ITEMS], iterations };
  } finally {
    await Promise.allSettled(workers.map((w, s) => (handles[s] === null ? undefined : w.request({ op: 'shardFree', handle: handles[s] as number }))));
  }
}
