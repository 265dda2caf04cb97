// Owns writing a model directory byte-compatible with what Spark 3.5's `ALSModel.write().save(path)`
// produces on a local filesystem, for tests and benchmarks (no Spark here):
//
//   metadata/part-00000 + _SUCCESS     one JSON line, DefaultParamsWriter's fields (class, timestamp,
//                                      sparkVersion, uid, paramMap, defaultParamMap) and "rank"
//   userFactors/, itemFactors/         part-0000N-<uuid>-c000.snappy.parquet + _SUCCESS; schema
//                                      `required int32 id; optional group features (LIST) { repeated
//                                      group list { required float element; } }` (Spark's standard
//                                      3-level list), snappy, key-value metadata
//                                      org.apache.spark.version and org.apache.spark.sql.parquet.row.metadata
//   recs-ids/users|items/ (optional)   the id map of spark/train_als.py (id: int, key: string)
//
// Spark also writes Hadoop .crc side files locally; readers ignore them, so they are left out.

import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';

/** The writer's schema type (hyparquet-writer pins its own hyparquet version). */
type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

export const SPARK_VERSION = '3.5.0';
const CREATED_BY = 'parquet-mr version 1.13.1 (build db4183109d5b734ec5930d870cdae161e408ddba)';

const FACTOR_SCHEMA: SchemaElement[] = [
  { name: 'spark_schema', num_children: 2 },
  { name: 'id', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'features', repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST', logical_type: { type: 'LIST' } },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
];
const FACTOR_ROW_METADATA = JSON.stringify({
  type: 'struct',
  fields: [
    { name: 'id', type: 'integer', nullable: false, metadata: {} },
    { name: 'features', type: { type: 'array', elementType: 'float', containsNull: false }, nullable: true, metadata: {} },
  ],
});
const ID_MAP_SCHEMA: SchemaElement[] = [
  { name: 'spark_schema', num_children: 2 },
  { name: 'id', type: 'INT32', repetition_type: 'OPTIONAL' },
  { name: 'key', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
];
const ID_MAP_ROW_METADATA = JSON.stringify({
  type: 'struct',
  fields: [
    { name: 'id', type: 'integer', nullable: true, metadata: {} },
    { name: 'key', type: 'string', nullable: true, metadata: {} },
  ],
});

export interface SparkModelSpec {
  rank: number;
  /** Spark ids of the factor rows, in the order written. */
  userIds: ArrayLike<number>;
  userFactors: Float32Array;
  itemIds: ArrayLike<number>;
  itemFactors: Float32Array;
  /** Original ids per Spark id (the id map); omitted = no map. */
  idMap?: { users: Array<[number, string]>; items: Array<[number, string]> };
  /** Files per factor table (Spark writes one per partition; default 2). */
  partitions?: number;
  /** Rows per row group (default: all rows of a file in one). */
  rowGroupSize?: number;
  /** Overrides of the metadata JSON (to write broken models in tests). */
  metadata?: Record<string, unknown>;
}

export function writeSparkModel(dir: string, s: SparkModelSpec): void {
  mkdirSync(dir, { recursive: true });
  const ts = Date.UTC(2026, 11, 1);
  const uid = 'ALS_4c1b2a9e7f3d';
  const meta = {
    class: 'org.apache.spark.ml.recommendation.ALSModel',
    timestamp: ts,
    sparkVersion: SPARK_VERSION,
    uid,
    paramMap: { userCol: 'user_id', itemCol: 'item_id', coldStartStrategy: 'drop' },
    defaultParamMap: { blockSize: 4096, predictionCol: 'prediction', userCol: 'user', itemCol: 'item', coldStartStrategy: 'nan' },
    rank: s.rank,
    ...s.metadata,
  };
  writeTextDir(join(dir, 'metadata'), JSON.stringify(meta) + '\n');
  const parts = s.partitions ?? 2;
  writeFactorTable(join(dir, 'userFactors'), s.userIds, s.userFactors, s.rank, parts, s.rowGroupSize);
  writeFactorTable(join(dir, 'itemFactors'), s.itemIds, s.itemFactors, s.rank, parts, s.rowGroupSize);
  if (s.idMap) {
    writeIdMap(join(dir, 'recs-ids', 'users'), s.idMap.users);
    writeIdMap(join(dir, 'recs-ids', 'items'), s.idMap.items);
  }
}

/** A directory as `saveAsTextFile` leaves it: part-00000 and _SUCCESS. */
export function writeTextDir(dir: string, text: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'part-00000'), text);
  writeFileSync(join(dir, '_SUCCESS'), '');
}

export function writeFactorTable(dir: string, ids: ArrayLike<number>, factors: Float32Array, rank: number, parts: number, rowGroupSize?: number): void {
  const n = ids.length;
  const job = randomUUID();
  for (let p = 0; p < parts; p++) {
    const lo = Math.floor((p * n) / parts);
    const hi = Math.floor(((p + 1) * n) / parts);
    writeFactorPart(
      dir,
      p,
      job,
      Int32Array.from({ length: hi - lo }, (_, i) => ids[lo + i]!),
      factors.subarray(lo * rank, hi * rank),
      rank,
      rowGroupSize,
    );
  }
  writeFileSync(join(dir, '_SUCCESS'), '');
}

/** One part file `part-<index>-<job>-c000.snappy.parquet` of a factor table (no _SUCCESS: the caller adds it). */
export function writeFactorPart(dir: string, index: number, job: string, ids: Int32Array, factors: Float32Array, rank: number, rowGroupSize?: number): void {
  mkdirSync(dir, { recursive: true });
  const features: number[][] = [];
  for (let r = 0; r < ids.length; r++) features.push(Array.from(factors.subarray(r * rank, (r + 1) * rank)));
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: ids },
      { name: 'features', data: features },
    ],
    schema: FACTOR_SCHEMA,
    codec: 'SNAPPY',
    rowGroupSize: rowGroupSize ?? Math.max(1, ids.length),
    createdBy: CREATED_BY,
    kvMetadata: [
      { key: 'org.apache.spark.version', value: SPARK_VERSION },
      { key: 'org.apache.spark.sql.parquet.row.metadata', value: FACTOR_ROW_METADATA },
    ],
  });
  writeFileSync(join(dir, `part-${String(index).padStart(5, '0')}-${job}-c000.snappy.parquet`), new Uint8Array(buf));
}

function writeIdMap(dir: string, pairs: Array<[number, string]>): void {
  mkdirSync(dir, { recursive: true });
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: Int32Array.from(pairs, (p) => p[0]) },
      { name: 'key', data: pairs.map((p) => p[1]) },
    ],
    schema: ID_MAP_SCHEMA,
    codec: 'SNAPPY',
    createdBy: CREATED_BY,
    kvMetadata: [
      { key: 'org.apache.spark.version', value: SPARK_VERSION },
      { key: 'org.apache.spark.sql.parquet.row.metadata', value: ID_MAP_ROW_METADATA },
    ],
  });
  writeFileSync(join(dir, `part-00000-${randomUUID()}-c000.snappy.parquet`), new Uint8Array(buf));
  writeFileSync(join(dir, '_SUCCESS'), '');
}
