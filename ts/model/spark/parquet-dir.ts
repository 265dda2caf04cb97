// Owns listing and opening the Parquet files of a directory Spark wrote (`df.write.parquet(dir)`):
// the `part-*.parquet` files in name order, refusing a directory whose write did not finish (no
// `_SUCCESS` marker) and, under Databricks' transactional commit protocol, keeping only the files
// its `_committed_<txn>` markers list as added and not removed. Reading goes through hyparquet
// (pure JavaScript, maintained, with snappy built in and hyparquet-compressors for gzip, zstd,
// brotli and lz4, which Spark's `spark.sql.parquet.compression.codec` may choose).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData, type SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { SparkModelError } from './metadata.js';

export interface ParquetPart {
  path: string;
  file: AsyncBuffer;
  metadata: FileMetaData;
  rows: number;
}

/** The data files of a Spark output directory, opened (footers read), in name order. */
export async function openParquetDir(dir: string, what: string): Promise<ParquetPart[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SparkModelError(`${dir}: missing; ${what}`);
  const names = readdirSync(dir);
  if (!names.includes('_SUCCESS')) throw new SparkModelError(`${dir}: no _SUCCESS marker: the Spark write did not finish (rerun the job, or copy the whole directory)`);
  let parts = names.filter((n) => n.startsWith('part-') && n.endsWith('.parquet')).sort();
  const committed = committedFiles(dir, names);
  if (committed) parts = parts.filter((n) => committed.has(n));
  if (parts.length === 0) throw new SparkModelError(`${dir}: no part-*.parquet file; ${what}`);
  const out: ParquetPart[] = [];
  for (const name of parts) {
    const path = join(dir, name);
    const file = await asyncBufferFromFile(path);
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(file);
    } catch (e) {
      throw new SparkModelError(`${path}: not a readable Parquet file (${(e as Error).message})`);
    }
    out.push({ path, file, metadata, rows: Number(metadata.num_rows) });
  }
  return out;
}

/** Files Databricks' DBIO commit protocol committed (null when the directory has no such markers). */
function committedFiles(dir: string, names: string[]): Set<string> | null {
  const markers = names.filter((n) => n.startsWith('_committed_') && !n.startsWith('_committed_vacuum'));
  if (markers.length === 0) return null;
  const added = new Set<string>();
  const removed = new Set<string>();
  for (const m of markers) {
    const path = join(dir, m);
    let doc: { added?: unknown; removed?: unknown };
    try {
      doc = JSON.parse(readFileSync(path, 'utf8')) as typeof doc;
    } catch (e) {
      throw new SparkModelError(`${path}: not a commit marker (${(e as Error).message})`);
    }
    for (const n of Array.isArray(doc.added) ? doc.added : []) if (typeof n === 'string') added.add(n);
    for (const n of Array.isArray(doc.removed) ? doc.removed : []) if (typeof n === 'string') removed.add(n);
  }
  for (const n of removed) added.delete(n);
  return added;
}

/** Top-level columns of a file: name → its schema element (children follow it in the flat list). */
export function topLevelColumns(metadata: FileMetaData): Map<string, { element: SchemaElement; children: SchemaElement[] }> {
  const s = metadata.schema;
  const out = new Map<string, { element: SchemaElement; children: SchemaElement[] }>();
  let i = 1;
  const skip = (at: number): number => {
    let next = at + 1;
    for (let c = 0; c < (s[at]!.num_children ?? 0); c++) next = skip(next);
    return next;
  };
  for (let c = 0; c < (s[0]!.num_children ?? 0); c++) {
    const end = skip(i);
    out.set(s[i]!.name, { element: s[i]!, children: s.slice(i + 1, end) });
    i = end;
  }
  return out;
}

/**
 * The row ranges to read a file in: slices of at most `slice` rows inside each row group when every
 * column chunk has a page offset index (parquet-mr writes one; hyparquet then decodes only the
 * pages of the slice), else whole row groups (without the index a slice would decode the whole
 * chunk again each time).
 */
export function sliceRanges(part: ParquetPart, slice: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  for (const g of part.metadata.row_groups) {
    const rows = Number(g.num_rows);
    const step = g.columns.every((c) => c.offset_index_offset !== undefined) ? slice : Math.max(1, rows);
    for (let s = start; s < start + rows; s += step) out.push([s, Math.min(start + rows, s + step)]);
    start += rows;
  }
  return out;
}

/** Rows [start, end) of a file's columns as arrays, decompressing any codec Spark writes. */
export async function readRows(part: ParquetPart, columns: string[], start: number, end: number): Promise<unknown[][]> {
  let rows: unknown[][] = [];
  try {
    await parquetRead({ file: part.file, metadata: part.metadata, columns, rowStart: start, rowEnd: end, compressors, useOffsetIndex: true, onComplete: (r) => (rows = r) });
  } catch (e) {
    throw new SparkModelError(`${part.path}: rows ${start}–${end - 1} cannot be read (${(e as Error).message})`);
  }
  return rows;
}
