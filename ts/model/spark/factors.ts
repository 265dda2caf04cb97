// Owns reading an ALSModel's factor table (`userFactors/` or `itemFactors/`: Parquet, schema
// `id: int, features: array<float>`) into one id array and one row-major Float32Array, sorted by
// id, checking every row: the rank, finite values, no duplicate id. Rows are streamed in slices of
// SLICE_ROWS, so memory is the result itself — 4·rank + 4 bytes per factor row, plus 4 bytes per
// row for the sort — and one decoded slice (at most SLICE_ROWS rows, whatever the row-group size;
// a whole row group for files written without page offset indexes, see parquet-dir.ts).

import { openParquetDir, readRows, sliceRanges, topLevelColumns, type ParquetPart } from './parquet-dir.js';
import { SparkModelError } from './metadata.js';

export const SLICE_ROWS = 16_384;

export interface FactorTable {
  /** Spark's integer ids, ascending. */
  ids: Int32Array;
  /** rows × rank, in the order of `ids`. */
  factors: Float32Array;
  rank: number;
  /** The Parquet files read, in order. */
  files: string[];
}

export async function readFactorTable(dir: string, rank: number, onProgress?: (rows: number) => void): Promise<FactorTable> {
  const parts = await openParquetDir(dir, 'an ALSModel saves its factors there as Parquet');
  for (const p of parts) checkSchema(p);
  const total = parts.reduce((n, p) => n + p.rows, 0);
  const ids = new Int32Array(total);
  const factors = new Float32Array(total * rank);
  let at = 0;
  for (const part of parts) {
    for (const [start, end] of sliceRanges(part, SLICE_ROWS)) {
      const rows = await readRows(part, ['id', 'features'], start, end);
      if (rows.length !== end - start) throw new SparkModelError(`${part.path}: rows ${start}–${end - 1}: read ${rows.length} rows, the footer says ${end - start}`);
      for (let r = 0; r < rows.length; r++) {
        const [id, features] = rows[r]!;
        const where = () => `${part.path}: row ${start + r}`;
        if (typeof id !== 'number' || !Number.isInteger(id)) throw new SparkModelError(`${where()}: id is ${String(id)}, expected an integer`);
        if (!Array.isArray(features) && !ArrayBuffer.isView(features))
          throw new SparkModelError(`${where()} (id ${id}): features is ${features === null ? 'null' : typeof features}, expected an array of ${rank} floats`);
        const f = features as ArrayLike<unknown>;
        if (f.length !== rank) throw new SparkModelError(`${where()} (id ${id}): ${f.length} features, but the model's metadata says rank ${rank}`);
        const o = at * rank;
        for (let j = 0; j < rank; j++) {
          const v = f[j];
          if (typeof v !== 'number' || !Number.isFinite(v)) throw new SparkModelError(`${where()} (id ${id}): feature ${j} is ${String(v)}, not a finite number`);
          factors[o + j] = v;
        }
        ids[at++] = id;
      }
      onProgress?.(at);
    }
  }
  sortById(ids, factors, rank, (a, b) => {
    const [pa, ra] = locate(parts, a);
    const [pb, rb] = locate(parts, b);
    return new SparkModelError(`${pb}: row ${rb}: id ${ids[b]} appears twice (first at ${pa}: row ${ra}); a factor table has one row per id`);
  });
  return { ids, factors, rank, files: parts.map((p) => p.path) };
}

/** Spark's layout: `id` INT32, `features` a LIST of FLOAT (3-level or legacy 2-level). */
function checkSchema(p: ParquetPart): void {
  const cols = topLevelColumns(p.metadata);
  const id = cols.get('id');
  const features = cols.get('features');
  const names = [...cols.keys()].join(', ');
  if (!id || !features) throw new SparkModelError(`${p.path}: columns are ${names}; an ALSModel factor table has id and features`);
  if (id.element.type !== 'INT32') throw new SparkModelError(`${p.path}: column id is ${id.element.type ?? 'a group'}, expected INT32 (Spark's int)`);
  const leaf = features.children.at(-1);
  if (features.element.type !== undefined || !leaf || leaf.type !== 'FLOAT') {
    throw new SparkModelError(`${p.path}: column features is not array<float> (its values are ${leaf?.type ?? features.element.type ?? 'missing'})`);
  }
}

/** File and row of the factor row at `index` in reading order. */
function locate(parts: ParquetPart[], index: number): [string, number] {
  let i = index;
  for (const p of parts) {
    if (i < p.rows) return [p.path, i];
    i -= p.rows;
  }
  return ['?', index];
}

/**
 * Sorts rows by id in place (factors permuted along, cycle by cycle: no second factor matrix);
 * a duplicate id throws `duplicate(firstRow, secondRow)` with both rows in reading order.
 */
function sortById(ids: Int32Array, factors: Float32Array, rank: number, duplicate: (a: number, b: number) => Error): void {
  const n = ids.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => ids[a]! - ids[b]! || a - b);
  for (let i = 1; i < n; i++) if (ids[order[i]!] === ids[order[i - 1]!]) throw duplicate(order[i - 1]!, order[i]!);
  // Row `order[i]` goes to position i: follow each cycle once, one row held aside.
  const tmp = new Float32Array(rank);
  for (let start = 0; start < n; start++) {
    if (order[start] === start || order[start] === 0xffffffff) continue;
    tmp.set(factors.subarray(start * rank, start * rank + rank));
    const tmpId = ids[start]!;
    let pos = start;
    for (;;) {
      const from = order[pos]!;
      order[pos] = 0xffffffff;
      if (from === start) {
        factors.set(tmp, pos * rank);
        ids[pos] = tmpId;
        break;
      }
      factors.copyWithin(pos * rank, from * rank, from * rank + rank);
      ids[pos] = ids[from]!;
      pos = from;
    }
  }
}
