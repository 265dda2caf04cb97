// Owns reading a parameters file (what `recs tune` writes as best.json): the algorithm under
// "algorithm" (absent: ALS), its parameters under "params" (ALS: Spark's names; others: their
// schema's keys) and the feedback transform under "feedback". Unknown keys and wrong types are
// errors naming the file and the key.

import { readFileSync } from 'node:fs';
import type { AlsParams } from '../../engine/index.js';
import { parseFeedback, type FeedbackTransform } from './feedback.js';
import { SPARK_DEFAULTS } from './options.js';
import { ALGORITHMS } from '../algorithms/index.js';
import type { ParamValues } from '../algorithms/types.js';

export interface ParamsFile {
  params: Partial<AlsParams>;
  feedback?: FeedbackTransform;
  /** Another algorithm than ALS and its parameters (`params` is then empty). */
  algorithm?: { name: string; params: ParamValues };
}

export function readParamsFile(path: string): ParamsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read parameters: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || typeof (raw as { params?: unknown }).params !== 'object') {
    throw new Error(`${path}: expected an object with a "params" object`);
  }
  const src = (raw as { params: Record<string, unknown> }).params;
  const params: Record<string, unknown> = {};
  const name = (raw as { algorithm?: unknown }).algorithm ?? 'als';
  const other = ALGORITHMS.find((a) => a.name === name && a.name !== 'als');
  if (name !== 'als' && !other) throw new Error(`${path}: algorithm must be one of ${ALGORITHMS.map((a) => a.name).join(', ')}; got ${JSON.stringify(name)}`);
  for (const [key, value] of Object.entries(src)) {
    if (other) {
      const spec = other.params.find((p) => p.key === key);
      if (!spec) throw new Error(`${path}: params.${key} is not a parameter of ${other.name} (known: ${other.params.map((p) => p.key).join(', ')})`);
      const want = spec.type === 'bool' ? 'boolean' : spec.type === 'choice' ? 'string' : 'number';
      if (typeof value !== want) throw new Error(`${path}: params.${key} must be a ${want}, got ${JSON.stringify(value)}`);
      params[key] = value;
      continue;
    }
    if (!(key in SPARK_DEFAULTS)) throw new Error(`${path}: params.${key} is not an ALS parameter (known: ${Object.keys(SPARK_DEFAULTS).join(', ')})`);
    const want = typeof SPARK_DEFAULTS[key as keyof AlsParams];
    if (typeof value !== want) throw new Error(`${path}: params.${key} must be a ${want}, got ${JSON.stringify(value)}`);
    params[key] = value;
  }
  const fb = (raw as { feedback?: unknown }).feedback;
  if (fb !== undefined && typeof fb !== 'string') throw new Error(`${path}: feedback must be a string like "binary"`);
  try {
    if (other) return { params: {}, algorithm: { name: other.name, params: params as ParamValues }, ...(fb === undefined ? {} : { feedback: parseFeedback(fb) }) };
    return fb === undefined ? { params: params as Partial<AlsParams> } : { params: params as Partial<AlsParams>, feedback: parseFeedback(fb) };
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}
