// Owns EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019) as an
// algorithm of the model seam: with binary X (users × items), P = (XᵀX + λI)⁻¹ and
// B = I − P·diagMat(1/diag(P)), i.e. B[i][j] = −P[i][j] / P[j][j] and a zero diagonal; a user's
// scores are x_u·B. The model part is B (item-item weights, n² floats), so it is for catalogs up
// to `maxItems` items; larger ones are refused with the way out (`--algorithm als`). B gives
// fold-in (exactly x_u·B for a new user) and similar items (B's columns). The n × n inverse is
// the TypeScript Cholesky path (./spd-inverse.ts).

import type { Engine } from '../../engine/index.js';
import { feedbackValues } from '../pipeline/feedback.js';
import { userRows, weightsTopK, type UserRows } from './item-weights.js';
import { spdInverse } from './spd-inverse.js';
import type { Algorithm, FitData, FitHooks, FittedModel, ItemWeights, ParamSpec, ParamValues } from './types.js';

export const EASE_PARAMS: readonly ParamSpec[] = [
  {
    key: 'regParam',
    flag: 'reg-param',
    sparkAlias: 'regParam',
    type: 'float',
    // Chosen by `recs tune --algorithm ease --search grid` on ML-100K (validation carved from the training split).
    default: 250,
    min: 1e-6,
    max: 1e9,
    help: "λ added to the Gram matrix's diagonal (EASE's L2 weight)",
    tune: { range: [1, 5000], log: true, grid: [10, 50, 100, 250, 500, 1000, 2500] },
  },
  {
    key: 'maxItems',
    flag: 'max-items',
    type: 'int',
    default: 10_000,
    min: 1,
    max: 50_000,
    help: 'largest catalog EASE accepts (B is items² floats: 400 MB at 10,000 items, and the inverse is O(items³))',
  },
];

export const ease: Algorithm = {
  name: 'ease',
  summary: 'EASE (Steck 2019): closed-form item-item weights B from (XᵀX + λI)⁻¹, for catalogs up to --max-items items',
  params: EASE_PARAMS,
  capabilities: { foldIn: true, similarItems: true, ratingPrediction: false },
  check(_nUsers, nItems, p) {
    const max = Number(p.maxItems);
    if (nItems > max) {
      throw new Error(`--algorithm ease keeps an items × items matrix: ${nItems} items is more than --max-items ${max}; use --algorithm als for catalogs this large (or raise --max-items)`);
    }
  },
  async fit(_engine: Engine, data: FitData, p: ParamValues, hooks: FitHooks): Promise<FittedModel> {
    ease.check!(data.nUsers, data.nItems, p);
    const t0 = performance.now();
    const values = feedbackValues(data.ratings, data.feedback, true);
    const rows = userRows(data.nUsers, data.users, data.items, (r) => values[r]! > 0);
    const weights = easeWeights(rows, data.nItems, Number(p.regParam), hooks.onProgress);
    const seconds = (performance.now() - t0) / 1000;
    return fittedWeights('ease', data.nUsers, weights, rows, [{ iteration: 1, loss: null, seconds, elapsed: seconds }]);
  },
  describe: (p) => `EASE, λ ${String(p.regParam)}`,
};

/** B of EASE for users' binary rows: (XᵀX + λI)⁻¹ scaled column by column, diagonal zero. */
export function easeWeights(rows: UserRows, n: number, lambda: number, onProgress?: (done: number, total: number) => void): ItemWeights {
  const g = new Float64Array(n * n);
  const nUsers = rows.offsets.length - 1;
  for (let u = 0; u < nUsers; u++) {
    const row = rows.items.subarray(rows.offsets[u]!, rows.offsets[u + 1]!);
    for (let a = 0; a < row.length; a++) {
      const ra = row[a]! * n;
      for (let b = 0; b <= a; b++) g[ra + row[b]!]!++; // items ascending: row[b] ≤ row[a], the lower triangle
    }
  }
  for (let i = 0; i < n; i++) g[i * n + i]! += lambda;
  const p = spdInverse(g, n, onProgress);
  const weights = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (i !== j) weights[i * n + j] = -p[i * n + j]! / p[j * n + j]!;
  }
  return { n, weights };
}

/** A FittedModel that ranks with item-item weights from the users' training rows. */
export function fittedWeights(algorithm: string, nUsers: number, w: ItemWeights, rows: UserRows, iterations: FittedModel['iterations']): FittedModel {
  return {
    algorithm,
    nUsers,
    nItems: w.n,
    itemWeights: w,
    iterations,
    kernel: 'typescript',
    topK: (options) => weightsTopK(w, rows, options),
  };
}
