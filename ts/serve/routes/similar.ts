// Owns GET /v1/items/{itemId}/similar?k=: the k items most similar to the item (see ../similar.ts:
// cosine over factors, or the item's column of item-item weights); an item the model does not
// know is a 404 item_not_found, and a model with neither part a 404 similar_items_unavailable.

import { HttpError } from '../errors.js';
import type { RouteSpec } from '../http.js';
import { parseK, parseQuery, pathId } from '../params.js';
import { similarBody } from '../recommend.js';
import { servingModel, type ServeContext } from '../context.js';

export function similarRoute(ctx: ServeContext): RouteSpec {
  return {
    pattern: '/v1/items/:itemId/similar',
    label: '/v1/items/{itemId}/similar',
    auth: true,
    handler(r) {
      const itemId = pathId(r.params[0], 'itemId', ctx.limits);
      const k = parseK(parseQuery(r.query, ['k']).get('k'), ctx.limits);
      const model = servingModel(ctx);
      const row = model.catalog.ids.rowOf(itemId);
      if (row < 0) throw new HttpError(404, 'item_not_found', `item "${itemId.slice(0, 60)}" is not in model ${model.version}`);
      if (!model.similar) throw new HttpError(404, 'similar_items_unavailable', `model ${model.version} (${model.prepared.manifest.algorithm ?? 'als'}) has neither item factors nor item weights, so it has no similar items`);
      const sim = model.similar.of(row);
      const picked = { items: sim.items, scores: sim.scores, count: Math.min(k, sim.items.length) };
      return { status: 200, body: similarBody(itemId, picked, model.catalog) };
    },
  };
}
