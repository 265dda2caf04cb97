// Owns the mapping between a fitted model and the artifact's model parts: which parts a fit
// produced (factors, item-item weights) and the names the manifest lists, so serving can tell
// what a model can do (fold-in, similar items) from the artifact alone.

import type { FittedModel, ItemWeights, ModelPart } from './types.js';

/** The artifact fields of a fitted model's parts (factors absent: rank 0 and empty arrays). */
export function modelParts(m: FittedModel): { rank: number; userFactors: Float32Array; itemFactors: Float32Array; itemWeights: ItemWeights | null } {
  return {
    rank: m.factors?.rank ?? 0,
    userFactors: m.factors?.userFactors ?? new Float32Array(0),
    itemFactors: m.factors?.itemFactors ?? new Float32Array(0),
    itemWeights: m.itemWeights ?? null,
  };
}

/** The parts an artifact written before the manifest listed them holds (ALS's). */
export const LEGACY_PARTS: readonly ModelPart[] = ['userFactors', 'itemFactors', 'topk', 'popularity', 'history'];

/** What serving can answer from `parts`. */
export function capabilitiesOf(parts: readonly ModelPart[]): { foldIn: 'factors' | 'itemWeights' | null; similarItems: 'factors' | 'itemWeights' | null } {
  const via = parts.includes('itemFactors') ? 'factors' : parts.includes('itemWeights') ? 'itemWeights' : null;
  return { foldIn: via, similarItems: via };
}
