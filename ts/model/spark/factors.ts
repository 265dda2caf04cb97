// Owns reading an ALSModel's factor table (`userFactors/` or `itemFactors/`: Parquet, schema
// `id: int, features: array<float>`), checking every row: the rank, finite values, no duplicate
// id. Rows are decoded in slices of SLICE_ROWS (at most that many rows, whatever the row-group size;
// a whole row group for files written without page offset indexes, see parquet-dir.ts). Either the
// whole table, sorted by id (readFactorTable: 4·rank + 8 bytes per row; the item side), or its ids
// alone with each row's place in id order (readFactorIds: 12 bytes per row while sorting, 8 kept)
// and then the rows slice by slice (forEachFactorSlice: the user side, streamed).

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
  const parts = await openFactorParts(dir);
  const total = parts.reduce((n, p) => n + p.rows, 0);
  const ids = new Int32Array(total);
  const factors = new Float32Array(total * rank);
  await forEachFactorSlice(parts, rank, (s) => {
    ids.set(s.ids, s.at);
    factors.set(s.factors, s.at * rank);
    onProgress?.(s.at + s.ids.length);
  });
  sortById(ids, factors, rank, duplicateError(parts, ids));
  return { ids, factors, rank, files: parts.map((p) => p.path) };
}

/** The Parquet files of a factor table, their schemas checked. */
export async function openFactorParts(dir: string): Promise<ParquetPart[]> {
  const parts = await openParquetDir(dir, 'an ALSModel saves its factors there as Parquet');
  for (const p of parts) checkSchema(p);
  return parts;
}

/** Rows [at, at + ids.length) in reading order (every file, in order), from `part`'s row `start`. */
export interface FactorSlice {
  part: ParquetPart;
  start: number;
  at: number;
  ids: Int32Array;
  /** ids.length × rank */
  factors: Float32Array;
}

/** Calls `each` with every slice of at most SLICE_ROWS rows of `parts`, in reading order, each row checked (integer id, rank, finite values). */
export async function forEachFactorSlice(parts: ParquetPart[], rank: number, each: (s: FactorSlice) => void | Promise<void>): Promise<void> {
  let at = 0;
  for (const part of parts) {
    for (const [start, end] of sliceRanges(part, SLICE_ROWS)) {
      const rows = await readRows(part, ['id', 'features'], start, end);
      if (rows.length !== end - start) throw new SparkModelError(`${part.path}: rows ${start}–${end - 1}: read ${rows.length} rows, the footer says ${end - start}`);
      const { ids, factors } = checkRows(rows, part, start, rank);
      await each({ part, start, at, ids, factors });
      at += rows.length;
    }
  }
}

/** Decoded rows [start, start + rows.length) of `part` checked: integer ids, `rank` finite features each. */
function checkRows(rows: unknown[][], part: ParquetPart, start: number, rank: number): { ids: Int32Array; factors: Float32Array } {
  const ids = new Int32Array(rows.length);
  const factors = new Float32Array(rows.length * rank);
  for (let r = 0; r < rows.length; r++) {
    const [id, features] = rows[r]!;
    const where = () => `${part.path}: row ${start + r}`;
    ids[r] = checkId(id, where);
    if (!Array.isArray(features) && !ArrayBuffer.isView(features))
      throw new SparkModelError(`${where()} (id ${id}): features is ${features === null ? 'null' : typeof features}, expected an array of ${rank} floats`);
    const f = features as ArrayLike<unknown>;
    if (f.length !== rank) throw new SparkModelError(`${where()} (id ${id}): ${f.length} features, but the model's metadata says rank ${rank}`);
    const o = r * rank;
    for (let j = 0; j < rank; j++) {
      const v = f[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new SparkModelError(`${where()} (id ${id}): feature ${j} is ${String(v)}, not a finite number`);
      factors[o + j] = v;
    }
  }
  return { ids, factors };
}

function checkId(id: unknown, where: () => string): number {
  if (typeof id !== 'number' || !Number.isInteger(id)) throw new SparkModelError(`${where()}: id is ${String(id)}, expected an integer`);
  return id;
}

/** A factor table's ids alone (4 bytes a row; the features are not decoded), and where each row goes in id order. */
export interface FactorIds {
  parts: ParquetPart[];
  /** Spark's integer ids, ascending. */
  sortedIds: Int32Array;
  /** Per row in reading order: its index in sortedIds. */
  position: Uint32Array;
}

/**
 * Reads the id column of a factor table: ids checked (integers, no duplicate: both rows named). The
 * first slice of each file is read whole and checked against `rank` too, so a model whose factors
 * do not have the metadata's rank fails here, before any ranking.
 */
export async function readFactorIds(dir: string, rank: number, onProgress?: (rows: number) => void): Promise<FactorIds> {
  const parts = await openFactorParts(dir);
  const ids = new Int32Array(parts.reduce((n, p) => n + p.rows, 0));
  let at = 0;
  for (const part of parts) {
    for (const [start, end] of sliceRanges(part, SLICE_ROWS)) {
      const rows = await readRows(part, start === 0 ? ['id', 'features'] : ['id'], start, end);
      if (rows.length !== end - start) throw new SparkModelError(`${part.path}: rows ${start}–${end - 1}: read ${rows.length} rows, the footer says ${end - start}`);
      if (start === 0) checkRows(rows, part, start, rank);
      for (let r = 0; r < rows.length; r++) ids[at++] = checkId(rows[r]![0], () => `${part.path}: row ${start + r}`);
      onProgress?.(at);
    }
  }
  const order = idOrder(ids, duplicateError(parts, ids));
  const position = new Uint32Array(ids.length);
  const sortedIds = new Int32Array(ids.length);
  for (let i = 0; i < order.length; i++) {
    position[order[i]!] = i;
    sortedIds[i] = ids[order[i]!]!;
  }
  return { parts, sortedIds, position };
}

function duplicateError(parts: ParquetPart[], ids: Int32Array): (a: number, b: number) => Error {
  return (a, b) => {
    const [pa, ra] = locate(parts, a);
    const [pb, rb] = locate(parts, b);
    return new SparkModelError(`${pb}: row ${rb}: id ${ids[b]} appears twice (first at ${pa}: row ${ra}); a factor table has one row per id`);
  };
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

/** Rows (reading order) sorted by id; a duplicate id throws `duplicate(firstRow, secondRow)`. */
function idOrder(ids: Int32Array, duplicate: (a: number, b: number) => Error): Uint32Array {
  const order = new Uint32Array(ids.length);
  for (let i = 0; i < ids.length; i++) order[i] = i;
  order.sort((a, b) => ids[a]! - ids[b]! || a - b);
  for (let i = 1; i < ids.length; i++) if (ids[order[i]!] === ids[order[i - 1]!]) throw duplicate(order[i - 1]!, order[i]!);
  return order;
}

/**
 * Sorts rows by id in place (factors permuted along, cycle by cycle: no second factor matrix);
 * a duplicate id throws `duplicate(firstRow, secondRow)` with both rows in reading order.
 */
function sortById(ids: Int32Array, factors: Float32Array, rank: number, duplicate: (a: number, b: number) => Error): void {
  const n = ids.length;
  const order = idOrder(ids, duplicate);
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
