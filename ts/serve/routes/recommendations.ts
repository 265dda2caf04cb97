// Owns GET /v1/users/{userId}/recommendations?k=&exclude=&genre=: the user's fold-in list when
// their events have been folded in for this model (source "foldin"), else the precomputed list
// from the store, filtered, filled from the popularity list when the filters exhaust it; an
// unknown user gets the popularity list (source "fallback", never a 404 or an empty answer), and
// so does every user while the store fails (counted in recs_store_errors_total, logged).

import { StoreError, type RecommendationStore, type UserList } from '../../store/types.js';
import { badRequest } from '../errors.js';
import type { Reply, RouteSpec } from '../http.js';
import { idList, memoized, parseK, parseQuery, pathId } from '../params.js';
import { pick, recommendationsBody, type Filters } from '../recommend.js';
import { servingModel, throttled, type ServeContext } from '../context.js';
import type { ServingModel } from '../serving-model.js';

const QUERY = ['k', 'exclude', 'genre'] as const;
/** No exclusions, any genre: the filters of most requests (shared, never changed). */
const NO_FILTERS: Filters = Object.freeze({ exclude: null, genre: -1 });

/** A query string, parsed and checked (what it means in a model's catalog is resolved per request). */
interface AskQuery {
  k: number;
  exclude: string[];
  genre: string | undefined;
}

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
    return { status: 200, body: recommendationsBody({ userId: a.userId, picked, source, fallbackReason }, a.model.catalog) };
  };
  const storeFailed = (a: Ask, e: unknown): Reply => {
    ctx.metrics.countStoreError(a.model.store.kind, e instanceof StoreError ? e.reason : 'error');
    lastError = e;
    logStoreError();
    return answer(a, null, true);
  };

  const readQuery = memoized(1024, (raw): AskQuery => {
    const q = parseQuery(raw, QUERY);
    return { k: parseK(q.get('k'), ctx.limits), exclude: idList(q.get('exclude'), 'exclude', ctx.limits), genre: q.get('genre') };
  });

  return {
    pattern: '/v1/users/:userId/recommendations',
    label: '/v1/users/{userId}/recommendations',
    auth: true,
    handler(r) {
      const userId = pathId(r.params[0], 'userId', ctx.limits);
      const q = readQuery(r.query);
      const model = servingModel(ctx);
      const a: Ask = { userId, k: q.k, model, filters: readFilters(model, q) };
      const folded = ctx.overlay?.peek(userId, model.version);
      if (folded) return answer(a, folded, false, true);
      const { store } = model;
      // an in-process store, or a remote store's cache hit: answered now, no promise
      let now: UserList | null | undefined;
      try {
        now = answerNow(store, userId);
      } catch (e) {
        return storeFailed(a, e);
      }
      if (now !== undefined) return answer(a, now, false);
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

/** The store's answer without waiting (an in-process store's `peek`, a cache hit), or undefined when only `get` can give it. */
function answerNow(store: RecommendationStore, userId: string): UserList | null | undefined {
  return store.peek ? store.peek(userId) : store.cachedNow?.(userId);
}

function readFilters(model: ServingModel, { exclude, genre }: AskQuery): Filters {
  if (exclude.length === 0 && genre === undefined) return NO_FILTERS;
  const { catalog } = model;
  let set: Set<number> | null = null;
  for (const id of exclude) {
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
