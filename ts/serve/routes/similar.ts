// Owns GET /v1/items/{itemId}/similar?k=: the k items whose factors are most cosine-similar to
// the item's (see ../similar.ts); an item the model does not know is a 404.

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
      const sim = model.similar.of(row);
      const picked = { items: sim.items, scores: sim.scores, count: Math.min(k, sim.items.length) };
      return { status: 200, body: similarBody(itemId, picked, model.catalog) };
    },
  };
}
