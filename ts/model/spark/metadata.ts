// Owns reading a saved Spark ALSModel's description: `metadata/part-00000` (one JSON line written by
// Spark's DefaultParamsWriter: class, sparkVersion, uid, paramMap, defaultParamMap and the extra
// `rank`) and, when the model was trained by this project's Spark job (spark/train_als.py), its
// `recs-spark/` line (its one part file) (training parameters, counts, split, metrics). An ALSModel's own
// metadata holds only the model's params (userCol, itemCol, predictionCol, coldStartStrategy,
// blockSize) and the rank: regParam, alpha or implicitPrefs are not saved by Spark.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ALS_MODEL_CLASS = 'org.apache.spark.ml.recommendation.ALSModel';

export class SparkModelError extends Error {
  override name = 'SparkModelError';
}

export interface SparkModelMetadata {
  /** The metadata file read. */
  path: string;
  sparkVersion: string;
  uid: string;
  timestamp: number | null;
  rank: number;
  userCol: string;
  itemCol: string;
  /** paramMap then defaultParamMap merged: what the model was saved with. */
  params: Record<string, unknown>;
}

/** What spark/train_als.py writes beside the model (format realtime-recs/spark-als@1). */
export interface SparkJobInfo {
  path: string;
  sparkVersion?: string;
  params: Record<string, unknown>;
  data: Record<string, unknown>;
  metrics: Record<string, number>;
}

/** The single part file of a directory Spark wrote as text (part-00000, or part-00000-<uuid>-c000.txt). */
function partFile(dir: string, what: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SparkModelError(`${dir}: missing; ${what}`);
  const parts = readdirSync(dir)
    .filter((f) => f.startsWith('part-') && !f.endsWith('.crc'))
    .sort();
  if (parts.length === 0) throw new SparkModelError(`${dir}: no part-00000 file; ${what}`);
  return join(dir, parts[0]!);
}

function firstJsonLine(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  const line = text.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) throw new SparkModelError(`${path}: empty file, expected one line of JSON`);
  try {
    const v = JSON.parse(line) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new SparkModelError(`${path}: line 1 is not valid JSON (${(e as Error).message})`);
  }
}

export function readSparkMetadata(modelDir: string): SparkModelMetadata {
  const path = partFile(join(modelDir, 'metadata'), `${modelDir} is not a saved Spark model (ALSModel.write().save writes metadata/, userFactors/ and itemFactors/)`);
  const m = firstJsonLine(path);
  if (m['class'] !== ALS_MODEL_CLASS) {
    throw new SparkModelError(`${path}: field "class" is ${JSON.stringify(m['class'])}, expected "${ALS_MODEL_CLASS}" (save the fitted ALSModel, not the ALS estimator or a pipeline)`);
  }
  const rank = m['rank'];
  if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 1) throw new SparkModelError(`${path}: field "rank" is ${JSON.stringify(rank)}, expected a positive integer`);
  const params = { ...(obj(m['defaultParamMap']) ?? {}), ...(obj(m['paramMap']) ?? {}) };
  const str = (k: string, d: string) => (typeof params[k] === 'string' ? (params[k] as string) : d);
  return {
    path,
    sparkVersion: typeof m['sparkVersion'] === 'string' ? m['sparkVersion'] : 'unknown',
    uid: typeof m['uid'] === 'string' ? m['uid'] : 'unknown',
    timestamp: typeof m['timestamp'] === 'number' ? m['timestamp'] : null,
    rank,
    userCol: str('userCol', 'user'),
    itemCol: str('itemCol', 'item'),
    params,
  };
}

/** The training job's description beside the model, or null when the model came from elsewhere. */
export function readSparkJobInfo(modelDir: string): SparkJobInfo | null {
  const dir = join(modelDir, 'recs-spark');
  if (!existsSync(dir)) return null;
  const path = partFile(dir, 'spark/train_als.py writes one JSON line there');
  const m = firstJsonLine(path);
  if (m['format'] !== 'realtime-recs/spark-als@1') throw new SparkModelError(`${path}: field "format" is ${JSON.stringify(m['format'])}, expected "realtime-recs/spark-als@1"`);
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(obj(m['metrics']) ?? {})) if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
  return {
    path,
    ...(typeof m['sparkVersion'] === 'string' ? { sparkVersion: m['sparkVersion'] } : {}),
    params: obj(m['params']) ?? {},
    data: obj(m['data']) ?? {},
    metrics,
  };
}

function obj(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
