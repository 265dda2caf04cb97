// Owns GET /v1/users/{userId}/recommendations?k=&exclude=&genre=: the user's fold-in list when
// their events have been folded in for this model (source "foldin"), else the precomputed list
// from the store, filtered, filled from the popularity list when the filters exhaust it; an
// unknown user gets the popularity list (source "fallback", never a 404 or an empty answer), and
// so does every user while the store fails (counted in recs_store_errors_total, logged).

import { StoreError, type UserList } from '../../store/types.js';
import { badRequest } from '../errors.js';
import type { Reply, RouteSpec } from '../http.js';
import { idList, parseK, parseQuery, pathId } from '../params.js';
import { pick, recommendationsBody, type Filters } from '../recommend.js';
import { servingModel, throttled, type ServeContext } from '../context.js';
import type { ServingModel } from '../serving-model.js';

const QUERY = ['k', 'exclude', 'genre'] as const;

interface Ask {
  userId: string;
  k: number;
  model: ServingModel;
  filters: Filters;
}

export function recommendationsRoute(ctx: ServeContext): RouteSpec {
  let lastError: unknown = null;
  const logStoreError = throttled(1000, (suppressed) => ctx.log.error({ err: lastError, suppressed }, 'store lookup failed; answered from the fallback list'));

  const answer = (a: Ask, list: Pick<UserList, 'items' | 'scores'> | null, failed: boolean, foldin = false): Reply => {
    const source = foldin ? 'foldin' : list ? 'precomputed' : 'fallback';
    ctx.metrics.countSource(source);
    const picked = pick(list, a.model.catalog, a.k, a.filters);
    const fallbackReason = list ? undefined : failed ? 'store_error' : 'unknown_user';
    return { status: 200, body: recommendationsBody({ userId: a.userId, picked, source, ...(fallbackReason && { fallbackReason }) }, a.model.catalog) };
  };
  const storeFailed = (a: Ask, e: unknown): Reply => {
    ctx.metrics.countStoreError(a.model.store.kind, e instanceof StoreError ? e.reason : 'error');
    lastError = e;
    logStoreError();
    return answer(a, null, true);
  };

  return {
    pattern: '/v1/users/:userId/recommendations',
    label: '/v1/users/{userId}/recommendations',
    auth: true,
    handler(r) {
      const userId = pathId(r.params[0], 'userId', ctx.limits);
      const q = parseQuery(r.query, QUERY);
      const k = parseK(q.get('k'), ctx.limits);
      const model = servingModel(ctx);
      const a: Ask = { userId, k, model, filters: readFilters(model, q.get('exclude'), q.get('genre'), ctx) };
      const folded = ctx.overlay?.peek(userId, model.version);
      if (folded) return answer(a, folded, false, true);
      const { store } = model;
      if (store.peek) {
        // an in-process store: answer now, no promise
        let list: UserList | null;
        try {
          list = store.peek(userId);
        } catch (e) {
          return storeFailed(a, e);
        }
        return answer(a, list, false);
      }
      // a remote store: the request holds this model until the store answers (see ServingModel)
      model.acquire();
      let lookup: Promise<UserList | null>;
      try {
        lookup = store.get(userId, { timeoutMs: ctx.storeTimeoutMs });
      } catch (e) {
        lookup = Promise.reject(e);
      }
      return lookup.then(
        (list) => {
          model.release();
          return answer(a, list, false);
        },
        (e: unknown) => {
          model.release();
          return storeFailed(a, e);
        },
      );
    },
  };
}

function readFilters(model: ServingModel, exclude: string | undefined, genre: string | undefined, ctx: ServeContext): Filters {
  const { catalog } = model;
  let set: Set<number> | null = null;
  for (const id of idList(exclude, 'exclude', ctx.limits)) {
    const row = catalog.ids.rowOf(id);
    if (row >= 0) (set ??= new Set()).add(row);
  }
  let g = -1;
  if (genre !== undefined) {
    if (genre === '') throw badRequest('genre is empty');
    g = catalog.genreIndex(genre);
    if (g < 0) {
      const known = catalog.genreNames;
      throw badRequest(known.length ? `unknown genre "${genre.slice(0, 60)}"; known genres: ${[...known].sort().join(', ')}` : 'this model has no genres to filter by');
    }
  }
  return { exclude: set, genre: g };
}
