// Owns reading a parameters file (what `recs tune` writes as best.json): ALS parameters under
// "params" (Spark's names) and the feedback transform under "feedback". Unknown keys and wrong
// types are errors naming the file and the key.

import { readFileSync } from 'node:fs';
import type { AlsParams } from '../../engine/index.js';
import { parseFeedback, type FeedbackTransform } from './feedback.js';
import { SPARK_DEFAULTS } from './options.js';

export interface ParamsFile {
  params: Partial<AlsParams>;
  feedback?: FeedbackTransform;
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
  for (const [key, value] of Object.entries(src)) {
    if (!(key in SPARK_DEFAULTS)) throw new Error(`${path}: params.${key} is not an ALS parameter (known: ${Object.keys(SPARK_DEFAULTS).join(', ')})`);
    const want = typeof SPARK_DEFAULTS[key as keyof AlsParams];
    if (typeof value !== want) throw new Error(`${path}: params.${key} must be a ${want}, got ${JSON.stringify(value)}`);
    params[key] = value;
  }
  const fb = (raw as { feedback?: unknown }).feedback;
  if (fb !== undefined && typeof fb !== 'string') throw new Error(`${path}: feedback must be a string like "binary"`);
  try {
    return fb === undefined ? { params: params as Partial<AlsParams> } : { params: params as Partial<AlsParams>, feedback: parseFeedback(fb) };
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}
