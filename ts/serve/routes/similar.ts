// Owns GET /v1/items/{itemId}/similar?k=: the k items most similar to the item (see ../similar.ts:
// cosine over factors, or the item's column of item-item weights), leaving out the items the item
// catalogue blocks (deleted, unavailable, not launched); an item the model does not know, or a
// deleted one, is a 404 item_not_found, and a model with neither part a 404 similar_items_unavailable.

import { HttpError } from '../errors.js';
import type { RouteSpec } from '../http.js';
import { parseK, parseQuery, pathId } from '../params.js';
import { similarBody } from '../recommend.js';
import { servingModel, type ServeContext } from '../context.js';
import type { Catalog } from '../catalog.js';
import type { CachedSimilar, Similar } from '../similar.js';
import type { Reply } from '../http.js';
import type { NewItemMatrix } from '../new-items-matrix.js';
import { similarToNew, similarWithNew } from '../new-items-mix.js';
import type { ServingModel } from '../serving-model.js';

/** Similar items while there are new items: the model's and the new ones, by cosine, blocked and hidden ones left out. */
function withNew(itemId: string, row: number, k: number, model: ServingModel, similar: CachedSimilar, units: NewItemMatrix): Reply {
  const { catalog, prepared } = model;
  const servable = (r: number) => !catalog.isBlocked(r);
  const depth = k + catalog.blockedCount;
  let sim: Similar | { items: ArrayLike<number>; scores: ArrayLike<number> };
  if (row < catalog.size) {
    const base = similar.depth >= depth ? similar.of(row) : similar.compute(row, depth);
    sim = similarWithNew(base, prepared.unitItemFactors.subarray(row * prepared.rank, (row + 1) * prepared.rank), units, depth, row, servable);
  } else {
    const self = units.vectorOf(row);
    if (!self) throw new HttpError(404, 'item_not_found', `item "${itemId.slice(0, 60)}" is not in model ${model.version}`);
    sim = similarToNew(self, prepared.unitItemFactors, prepared.rank, units, depth, row, servable);
  }
  return { status: 200, body: similarBody(itemId, unblocked(sim as Similar, k, catalog), catalog) };
}

/** The first k of `sim` not blocked. */
function unblocked(sim: Similar, k: number, catalog: Catalog): { items: number[]; scores: number[]; count: number } {
  const items: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < sim.items.length && items.length < k; i++) {
    if (catalog.isBlocked(sim.items[i]!)) continue;
    items.push(sim.items[i]!);
    scores.push(sim.scores[i]!);
  }
  return { items, scores, count: items.length };
}

export function similarRoute(ctx: ServeContext): RouteSpec {
  return {
    pattern: '/v1/items/:itemId/similar',
    label: '/v1/items/{itemId}/similar',
    auth: true,
    handler(r) {
      const itemId = pathId(r.params[0], 'itemId', ctx.limits);
      const k = parseK(parseQuery(r.query, ['k']).get('k'), ctx.limits);
      const model = servingModel(ctx);
      const row = model.catalog.rowOf(itemId);
      if (row < 0) throw new HttpError(404, 'item_not_found', `item "${itemId.slice(0, 60)}" is not in model ${model.version}`);
      if (ctx.items?.stateOf(itemId) === 'deleted') throw new HttpError(404, 'item_not_found', `item "${itemId.slice(0, 60)}" was deleted from the catalogue`);
      const { catalog, similar } = model;
      if (!similar)
        throw new HttpError(
          404,
          'similar_items_unavailable',
          `model ${model.version} (${model.prepared.manifest.algorithm ?? 'als'}) has neither item factors nor item weights, so it has no similar items`,
        );
      const news = model.prepared.parts.includes('itemFactors') ? ctx.newItems?.packed(model) : null;
      if (row >= catalog.size && !news?.units.vectorOf(row))
        throw new HttpError(404, 'item_not_found', `item "${itemId.slice(0, 60)}" is not in model ${model.version} (a new item with no vector now)`);
      if (news) return withNew(itemId, row, k, model, similar, news.units);
      const sim = similar.of(row);
      if (catalog.noneBlocked(sim.items, k)) return { status: 200, body: similarBody(itemId, { items: sim.items, scores: sim.scores, count: Math.min(k, sim.items.length) }, catalog) };
      // skip blocked items; when the kept depth runs short, look deeper (enough to pass every blocked item)
      let picked = unblocked(sim, k, catalog);
      if (picked.count < k && sim.items.length === similar.depth) picked = unblocked(similar.compute(row, k + catalog.blockedCount), k, catalog);
      return { status: 200, body: similarBody(itemId, picked, catalog) };
    },
  };
}
