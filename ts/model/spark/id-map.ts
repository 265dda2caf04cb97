// Owns the id map of a Spark-trained model. ALS needs integer ids, so a Spark job whose users or
// items have string ids indexes them first; spark/train_als.py writes what it did beside the model:
//
//   <model>/recs-ids/users/   Parquet, columns id: int (Spark's index), key: string (the original id)
//   <model>/recs-ids/items/   the same for items
//
// (any job can write the same two tables, e.g. from a StringIndexerModel's labels: id = position,
// key = label). A side without a table keeps Spark's integers as ids ("42"). Every factor row
// needs a key, and keys must be unique; an error names the file and row.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openParquetDir, readRows, sliceRanges, topLevelColumns } from './parquet-dir.js';
import { SLICE_ROWS } from './factors.js';
import { SparkModelError } from './metadata.js';

/** The id map directory a model uses by default, or null when it has none. */
export function defaultIdMapDir(modelDir: string): string | null {
  const d = join(modelDir, 'recs-ids');
  return existsSync(d) ? d : null;
}

/** Original ids for `ids` (ascending Spark ids) from `<mapDir>/<side>/`, or their decimal form without a map. */
export async function mapIds(ids: Int32Array, mapDir: string | null, side: 'users' | 'items'): Promise<string[]> {
  const dir = mapDir ? join(mapDir, side) : null;
  if (!dir || !existsSync(dir)) return Array.from(ids, String);
  const parts = await openParquetDir(dir, `the id map of ${side} (columns id: int, key: string)`);
  const keys: (string | undefined)[] = new Array<string | undefined>(ids.length);
  const where: (string | undefined)[] = new Array<string | undefined>(ids.length);
  const seenKeys = new Map<string, string>();
  for (const part of parts) {
    const cols = topLevelColumns(part.metadata);
    if (cols.get('id')?.element.type !== 'INT32' || cols.get('key')?.element.type !== 'BYTE_ARRAY') {
      throw new SparkModelError(`${part.path}: columns are ${[...cols.keys()].join(', ')}; an id map has id: int and key: string`);
    }
    for (const [start, end] of sliceRanges(part, SLICE_ROWS)) {
      const rows = await readRows(part, ['id', 'key'], start, end);
      for (let r = 0; r < rows.length; r++) {
        const [id, key] = rows[r]!;
        const here = `${part.path}: row ${start + r}`;
        if (typeof id !== 'number' || typeof key !== 'string') throw new SparkModelError(`${here}: id ${String(id)}, key ${String(key)}: expected an integer and a string`);
        const at = lowerBound(ids, id);
        if (at === ids.length || ids[at] !== id) continue; // an id the model has no factors for (e.g. filtered out)
        if (keys[at] !== undefined) throw new SparkModelError(`${here}: id ${id} is mapped twice (first at ${where[at]})`);
        const prev = seenKeys.get(key);
        if (prev !== undefined) throw new SparkModelError(`${here}: key ${JSON.stringify(key)} is mapped twice (first at ${prev})`);
        seenKeys.set(key, here);
        keys[at] = key;
        where[at] = here;
      }
    }
  }
  let missing = 0;
  let first = -1;
  for (let i = 0; i < ids.length; i++) {
    if (keys[i] !== undefined) continue;
    missing++;
    if (first < 0) first = i;
  }
  if (missing > 0) throw new SparkModelError(`${dir}: no key for Spark id ${ids[first]} (${missing} factor rows without one); the id map and the model come from different runs?`);
  return keys as string[];
}

function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
