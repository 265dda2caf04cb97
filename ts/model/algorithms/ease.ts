// Owns EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019) as an
// algorithm of the model seam: with binary X (users × items), P = (XᵀX + λI)⁻¹ and
// B = I − P·diagMat(1/diag(P)), i.e. B[i][j] = −P[i][j] / P[j][j] and a zero diagonal; a user's
// scores are x_u·B. The model part is B (item-item weights, n² floats), so it is for catalogs up
// to `maxItems` items; larger ones are refused with the way out (`--algorithm als`). B gives
// fold-in (exactly x_u·B for a new user) and similar items (B's columns). B is computed by the
// engine (the Rust core's Cholesky inverse, native or WASM: Engine.easeWeights).

import type { Engine } from '../../engine/index.js';
import { feedbackValues } from '../pipeline/feedback.js';
import { userRows, weightsTopK, type UserRows } from './item-weights.js';
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
  async fit(engine: Engine, data: FitData, p: ParamValues, hooks: FitHooks): Promise<FittedModel> {
    ease.check!(data.nUsers, data.nItems, p);
    const t0 = performance.now();
    const values = feedbackValues(data.ratings, data.feedback, true);
    const rows = userRows(data.nUsers, data.users, data.items, (r) => values[r]! > 0);
    const users = new Uint32Array(rows.items.length);
    for (let u = 0; u < data.nUsers; u++) users.fill(u, rows.offsets[u]!, rows.offsets[u + 1]!);
    const weights = await engine.easeWeights({ nUsers: data.nUsers, nItems: data.nItems, users, items: rows.items }, Number(p.regParam));
    hooks.onProgress?.(1, 1);
    const seconds = (performance.now() - t0) / 1000;
    return fittedWeights('ease', data.nUsers, { n: data.nItems, weights }, rows, [{ iteration: 1, loss: null, seconds, elapsed: seconds }], engine.kernelName());
  },
  describe: (p) => `EASE, λ ${String(p.regParam)}`,
};

/** A FittedModel that ranks with item-item weights from the users' training rows. */
export function fittedWeights(algorithm: string, nUsers: number, w: ItemWeights, rows: UserRows, iterations: FittedModel['iterations'], kernel: string): FittedModel {
  return {
    algorithm,
    nUsers,
    nItems: w.n,
    itemWeights: w,
    iterations,
    kernel,
    topK: (options) => weightsTopK(w, rows, options),
  };
}
