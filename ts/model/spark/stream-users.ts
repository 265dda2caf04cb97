// Owns the user side of `recs import spark`, streamed: the user factor table is read a batch of
// rows at a time (BATCH_ROWS, in the files' order; the next batch is read while the engine ranks
// the previous one on its threads), each batch ranked by the engine against every
// item factor (its users' training items excluded), and its rows written at their place in id order
// into the artifact's user-factor and top-k files (ArtifactWriter: hashed on the way when the files
// come in id order, else read back once at the end). Memory: the item factors, two batches, and 4
// bytes a user for its place — never the whole user matrix, unless the caller asks for it (`keep`,
// for evaluation on a test file).

import type { Engine } from '../../engine/index.js';
import type { UserHistory } from '../artifact.js';
import type { TensorSink } from '../artifact-writer.js';
import { forEachFactorSlice, type FactorIds, type FactorSlice } from './factors.js';
import { SparkModelError } from './metadata.js';

/** Users ranked per engine call (×rank×4 bytes of factors, ×depth×8 bytes of top-k). */
export const BATCH_ROWS = 65_536;

export interface UserSinks {
  userFactors: TensorSink;
  topkItems: TensorSink;
  topkScores: TensorSink;
}

export interface StreamUsersOptions {
  rank: number;
  depth: number;
  itemFactors: Float32Array;
  /** Users' training items by place in id order (left out of their lists), or null. */
  history: UserHistory | null;
  /** Also return the whole user matrix in id order (evaluation needs it). */
  keep: boolean;
  /** Rows per engine call (default BATCH_ROWS; tests make it small). */
  batchRows?: number;
  onProgress?: (rows: number) => void;
}

export interface StreamUsersResult {
  /** Per item: how many users' lists hold it (the popularity list without interactions). */
  listCounts: Uint32Array;
  /** The user matrix in id order when `keep`, else null. */
  userFactors: Float32Array | null;
}

export async function streamUsers(engine: Engine, users: FactorIds, sinks: UserSinks, o: StreamUsersOptions): Promise<StreamUsersResult> {
  const { rank, depth, position } = { ...o, position: users.position };
  const nItems = o.itemFactors.length / rank;
  const cap = o.batchRows ?? BATCH_ROWS;
  const listCounts = new Uint32Array(nItems);
  const kept = o.keep ? new Float32Array(position.length * rank) : null;
  // two batch buffers: the engine ranks one (on its own threads) while the next is read into the other
  let batch = new Float32Array(cap * rank);
  let spare = new Float32Array(cap * rank);
  let rows = 0;
  let first = 0; // reading-order row of the batch's first row
  let ranking: Promise<void> = Promise.resolve();
  const write = (factors: Float32Array, top: { items: Uint32Array; scores: Float32Array }, first: number, rows: number) => {
    for (let i = 0; i < top.items.length; i++) if (top.items[i]! < nItems) listCounts[top.items[i]!]!++;
    // runs of rows whose places follow each other are written at once
    for (let r = 0; r < rows; ) {
      let e = r + 1;
      while (e < rows && position[first + e] === position[first + e - 1]! + 1) e++;
      const at = position[first + r]!;
      sinks.userFactors.put(at, factors.subarray(r * rank, e * rank));
      sinks.topkItems.put(at, top.items.subarray(r * depth, e * depth));
      sinks.topkScores.put(at, top.scores.subarray(r * depth, e * depth));
      kept?.set(factors.subarray(r * rank, e * rank), at * rank);
      r = e;
    }
    o.onProgress?.(first + rows);
  };
  const flush = async () => {
    await ranking; // the previous batch is written, its buffer free
    if (rows === 0) return;
    const factors = batch.subarray(0, rows * rank);
    const exclude = o.history ? excludeOf(o.history, position, first, rows) : undefined;
    const [f, n] = [first, rows];
    ranking = engine.topK({ rank, userFactors: factors, itemFactors: o.itemFactors }, { k: depth, ...(exclude ? { exclude } : {}) }).then((top) => write(factors, top, f, n));
    [batch, spare] = [spare, batch];
    first += rows;
    rows = 0;
  };
  const read = forEachFactorSlice(users.parts, rank, async (s: FactorSlice) => {
    for (let r = 0; r < s.ids.length; r++) {
      if (users.sortedIds[position[s.at + r]!] !== s.ids[r])
        throw new SparkModelError(`${s.part.path}: row ${s.start + r} changed while it was read (id ${s.ids[r]}); import a model nobody is writing`);
    }
    if (rows + s.ids.length > cap) await flush();
    if (s.ids.length > cap) batch = new Float32Array(s.ids.length * rank); // a slice is at most SLICE_ROWS; only a tiny test cap gets here
    batch.set(s.factors, rows * rank);
    rows += s.ids.length;
  });
  try {
    await read;
    await flush();
  } catch (e) {
    await ranking.catch(() => undefined); // a batch still ranking: let it finish, its own error is moot
    throw e;
  }
  await ranking;
  return { listCounts, userFactors: kept };
}

/** The training items of reading rows [first, first + rows) as COO over batch rows (0-based). */
function excludeOf(h: UserHistory, position: Uint32Array, first: number, rows: number): { users: Uint32Array; items: Uint32Array } {
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const u = position[first + r]!;
    n += h.offsets[u + 1]! - h.offsets[u]!;
  }
  const users = new Uint32Array(n);
  const items = new Uint32Array(n);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    const u = position[first + r]!;
    for (let j = h.offsets[u]!; j < h.offsets[u + 1]!; j++) {
      users[k] = r;
      items[k++] = h.items[j]!;
    }
  }
  return { users, items };
}
