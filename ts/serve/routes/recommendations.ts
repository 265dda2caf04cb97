// Owns GET /v1/users/{userId}/recommendations?k=&exclude=&genre=: the user's fold-in list when
// their events have been folded in for this model (source "foldin"), else the precomputed list
// from the store, filtered, filled from the popularity list when the filters exhaust it; an
// unknown user gets the popularity list (source "fallback", never a 404 or an empty answer), and
// so does every user while the store fails (counted in recs_store_errors_total, logged). While an
// experiment runs, the user's variant answers (its model, or the popularity list) and is named.

import { StoreError, type RecommendationStore, type UserList } from '../../store/types.js';
import { badRequest } from '../errors.js';
import type { Reply, RouteSpec } from '../http.js';
import { idList, memoized, parseK, parseOffset, parseQuery, pathId } from '../params.js';
import { pick, recommendationsBody, type Filters, type Picked, type SeenItems } from '../recommend.js';
import type { FoldInList } from '../personal.js';
import { servingModel, throttled, type ServeContext } from '../context.js';
import type { ServingModel } from '../serving-model.js';
import { rankByFactors, userVectorOf } from '../rules/factor-fill.js';
import { placePromoted, promotedRows, type Promotion } from '../rules/promote.js';
import { Seen } from '../history.js';
import { mixNewItems } from '../new-items-mix.js';
import type { NewItems } from '../new-items.js';
import { diversify, type Diversify } from '../diversity.js';
import { AnswerCache } from '../answer-cache.js';

/** What the answer cache may hold (../answer-cache.ts): about 12,000 answers of k = 10. */
const ANSWER_CACHE_BYTES = 16 * 1024 * 1024;
const QUERY = ['k', 'offset', 'exclude', 'genre', 'filter', 'where', 'diversity', 'maxPerCategory'] as const;
/** What a user whose training items the model does not carry (an older artifact) is filled with: nothing. */
const UNKNOWN_HISTORY: SeenItems = { has: () => true };
/** No exclusions, any genre: the filters of most requests (shared, never changed). */
const NO_FILTERS: Filters = Object.freeze({ exclude: null, genre: -1, allow: null });

/** A query string, parsed and checked (what it means in a model's catalog is resolved per request). */
export interface AskQuery {
  k: number;
  offset: number;
  exclude: string[];
  genre: string | undefined;
  /** A named server-side filter. */
  filter?: string | undefined;
  /** A filter expression. */
  where?: string | undefined;
  /** Items to pin or boost into a range of positions (POST only). */
  promote?: Promotion | undefined;
  /** The diversity re-rank (../diversity.ts), when asked for. */
  diversify?: Diversify | undefined;
  /** Answers may come from the answer cache (the GET's queries: their bodies are sent at once, see ../answer-cache.ts). */
  cached?: boolean;
}

interface Ask {
  userId: string;
  k: number;
  offset: number;
  model: ServingModel;
  filters: Filters;
  promote: Promotion | undefined;
  diversify: Diversify | undefined;
  /** How deep the answer is picked before it is re-ranked (offset + k without a re-rank). */
  pool: number;
  /** What the re-rank needs to know of items. */
  items: { unit(item: number): Float32Array | null; categories(item: number): readonly string[] } | null;
  /** The promoted items' rows, checked (unknown or hidden items are 400s before any lookup). */
  promoted: number[] | null;
  /** The experiment's variant field of the answer, when one assigned the user. */
  variant: Buffer | undefined;
}

/** The recommendations route and its per-user answer (which the batch route shares). */
export interface Recommender {
  route: RouteSpec;
  answerUser(userId: string, q: AskQuery, model: ServingModel): Reply | Promise<Reply>;
}

export function recommender(ctx: ServeContext): Recommender {
  let lastError: unknown = null;
  const answers = new AnswerCache(ANSWER_CACHE_BYTES);
  const logStoreError = throttled(1000, (suppressed) => ctx.log.error({ err: lastError, suppressed }, 'store lookup failed; answered from the fallback list'));

  const answer = (a: Ask, list: Pick<UserList, 'items' | 'scores'> | null, failed: boolean, folded: FoldInList | null = null, popular = false): Reply => {
    const source = folded ? 'foldin' : list ? 'precomputed' : 'fallback';
    ctx.metrics.countSource(source);
    const picked = pickFor(a, list !== null ? withNewItems(a, list, folded, ctx) : null, folded, ctx.newItems);
    let fallbackReason: 'store_error' | 'unknown_user' | undefined;
    if (list === null && !popular) {
      fallbackReason = failed ? 'store_error' : 'unknown_user';
      // a user the model knows without a list: erased, or the store lost its lists
      if (!failed && ctx.integrity && a.model.history.rowOf(a.userId) >= 0) ctx.integrity.suspect();
    }
    const degraded = ctx.integrity?.degradedNow() ?? null;
    if (degraded !== null && fallbackReason === 'unknown_user' && a.model.history.rowOf(a.userId) >= 0) fallbackReason = 'store_error';
    return { status: 200, body: recommendationsBody({ userId: a.userId, picked, source, fallbackReason, offset: a.offset, degraded, variant: a.variant }, a.model.catalog) };
  };
  const storeFailed = (a: Ask, e: unknown): Reply => {
    ctx.metrics.countStoreError(a.model.store.kind, e instanceof StoreError ? e.reason : 'error');
    lastError = e;
    logStoreError();
    return answer(a, null, true);
  };

  const readQuery = memoized(1024, (raw): AskQuery => {
    const q = parseQuery(raw, QUERY);
    const k = parseK(q.get('k'), ctx.limits);
    return {
      k,
      offset: parseOffset(q.get('offset'), k, ctx.limits),
      exclude: idList(q.get('exclude'), 'exclude', ctx.limits),
      genre: q.get('genre'),
      filter: q.get('filter'),
      where: q.get('where'),
      diversify: parseDiversify(q.get('diversity'), q.get('maxPerCategory')),
      cached: true,
    };
  });

  /**
   * May this request's answer come from the answer cache (../answer-cache.ts)? Only a GET's, from
   * an in-process store, when the answer depends on nothing but the model's catalog, the catalogue
   * generation, the user's stored list and the query: not while new items are mixed in, with a
   * filter expression or named filter (item attributes), a re-rank or promotion, or a degraded store.
   */
  const cacheable = (q: AskQuery, model: ServingModel): boolean =>
    q.cached === true &&
    model.store.rowNow !== undefined &&
    q.filter === undefined &&
    q.where === undefined &&
    q.diversify === undefined &&
    q.promote === undefined &&
    (ctx.newItems?.of(model).size ?? 0) === 0 &&
    (ctx.integrity?.degradedNow() ?? null) === null;

  /** One user's answer: now (an in-process store, a cache hit) or once the store answers. */
  const answerUser = (userId: string, q: AskQuery, active: ServingModel): Reply | Promise<Reply> => {
    // an experiment's variant: its model, or (popularity) the active model's popularity list
    const variant = ctx.experiments?.assign(userId) ?? null;
    const model = variant?.model ?? active;
    if (variant) variant.answers++;
    const popular = variant !== null && variant.model === null;
    const folded = popular ? null : ctx.overlay?.peek(userId, model.version);
    const { store } = model;
    // a cached answer: nothing else to read or check (the query passed for this catalog before;
    // a model variant's answers are cached under its own catalog, with its variant field)
    let row = -1;
    if (!popular && !folded && cacheable(q, model)) {
      try {
        row = store.rowNow!(userId);
      } catch {
        row = -1; // the lookup below fails the same way, and answers for it
      }
      const body = row >= 0 ? answers.get(q, userId, model.catalog, row) : null;
      if (body !== null) {
        ctx.metrics.countSource('precomputed');
        return { status: 200, body };
      }
    }
    const filters = readFilters(model, q, ctx);
    const promoted = q.promote ? promotedRows(q.promote, model.catalog, (id) => ctx.items?.stateOf(id) ?? null) : null;
    const pool = q.diversify ? Math.min(ctx.limits.maxWindow, 3 * (q.offset + q.k)) : q.offset + q.k;
    const a: Ask = {
      userId,
      k: q.k,
      offset: q.offset,
      model,
      filters,
      promote: q.promote,
      promoted,
      diversify: q.diversify,
      pool,
      items: q.diversify ? itemFacts(model, ctx) : null,
      variant: variant?.field,
    };
    if (popular) return answer(a, null, false, null, true);
    if (folded) return answer(a, folded, false, folded);
    // an in-process store, or a remote store's cache hit: answered now, no promise
    let now: UserList | null | undefined;
    try {
      now = answerNow(store, userId);
    } catch (e) {
      return storeFailed(a, e);
    }
    if (row >= 0 && now) {
      const reply = answer(a, now, false);
      answers.put(q, userId, model.catalog, row, reply.body as Buffer);
      return reply;
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
  };

  return {
    answerUser,
    route: {
      pattern: '/v1/users/:userId/recommendations',
      label: '/v1/users/{userId}/recommendations',
      auth: true,
      handler(r) {
        const userId = pathId(r.params[0], 'userId', ctx.limits);
        return answerUser(userId, readQuery(r.query), servingModel(ctx));
      },
    },
  };
}

/**
 * The page of the answer. A stored list at least offset + k deep and unfiltered is used as it is
 * (it holds no training item: it was computed without them); anything else goes through the
 * user's history, so neither the list's items (a fold-in list may hold training items) nor the
 * popular items filling it were seen by the user.
 */
function pickFor(a: Ask, list: Pick<UserList, 'items' | 'scores'> | null, folded: FoldInList | null, news: NewItems | undefined): Picked {
  const { catalog, history } = a.model;
  // with a re-rank, the answer is picked `pool` deep from the top, then re-ranked and paged
  const [k, offset] = a.diversify ? [a.pool, 0] : [a.k, a.offset];
  if (list === null) return promoted(a, reranked(a, pick(null, catalog, k, a.filters, offset)), null);
  if (folded === null && a.offset === 0 && a.filters === NO_FILTERS && a.promote === undefined && a.diversify === undefined && list.items.length >= a.k && catalog.noneBlocked(list.items, a.k))
    return pick(list, catalog, a.k, a.filters);
  const seen = history.available ? history.seen(a.userId, folded?.seen) : UNKNOWN_HISTORY;
  // a filter expression runs on the stored depth, then on the factors for the rest (./rules/factor-fill.ts)
  const known = seen instanceof Seen ? seen : null;
  const rest =
    a.filters.allow !== null && known !== null
      ? (ok: (item: number) => boolean, want: number) => {
          const v = userVectorOf(a.model, known);
          return v ? withNewRest(a, rankByFactors(a.model, v, ok, want), v, ok, want, news) : null;
        }
      : null;
  return promoted(a, reranked(a, pick(list, catalog, k, a.filters, offset, seen, folded !== null && history.available, rest)), known);
}

/** The diversity re-rank of `picked` (picked `a.pool` deep), paged at the request's offset and k. */
function reranked(a: Ask, picked: Picked): Picked {
  return a.diversify && a.items ? diversify(picked, a.diversify, a.items, a.offset, a.offset + a.k) : picked;
}

/** The re-rank's view of items: unit factors (the model's, a new item's) and categories (the catalogue's, else the model's genres). */
function itemFacts(model: ServingModel, ctx: ServeContext): NonNullable<Ask['items']> {
  const p = model.prepared;
  const news = ctx.newItems?.of(model);
  const byRow = news && news.size > 0 ? new Map([...news.values()].map((n) => [n.row, n])) : null;
  return {
    unit: (item) => (item < p.itemCount ? p.unitItemFactors.subarray(item * p.rank, (item + 1) * p.rank) : (byRow?.get(item)?.unit ?? null)),
    categories: (item) => {
      const r = ctx.items?.get(model.catalog.idAt(item));
      return (r?.categories ?? (item < p.itemCount ? model.catalog.genresOf(item) : [])).map((c) => c.toLowerCase());
    },
  };
}

/** The re-rank a request asks for (`diversity` in [0, 1], `maxPerCategory` ≥ 0), or undefined. */
export function parseDiversify(diversity: string | number | undefined, maxPerCategory: string | number | undefined): Diversify | undefined {
  if (diversity === undefined && maxPerCategory === undefined) return undefined;
  const d = diversity === undefined ? 0 : typeof diversity === 'number' ? diversity : /^[0-9.]{1,20}$/.test(diversity) ? Number(diversity) : NaN;
  if (!(d >= 0 && d <= 1)) throw badRequest(`diversity must be a number from 0 to 1, got "${String(diversity).slice(0, 40)}"`);
  const m = maxPerCategory === undefined ? 0 : Number(maxPerCategory);
  if (!Number.isInteger(m) || m < 0 || m > 1000 || (typeof maxPerCategory === 'string' && !/^[0-9]{1,4}$/.test(maxPerCategory)))
    throw badRequest(`maxPerCategory must be a whole number from 0 (no cap) to 1000, got "${String(maxPerCategory).slice(0, 40)}"`);
  return { diversity: d, maxPerCategory: m };
}

/**
 * The user's list re-scored against the new items (../new-items.ts, the mixing rule): a
 * precomputed user's stored factors, a fold-in user's vector (folded in by the worker with their
 * list), against the packed new items — one dot product per new item; the blocked-item and
 * own-item checks only for the few that enter.
 */
function withNewItems(a: Ask, list: Pick<UserList, 'items' | 'scores'>, folded: FoldInList | null, ctx: ServeContext): Pick<UserList, 'items' | 'scores'> {
  const news = ctx.newItems?.packed(a.model);
  if (!news) return list;
  const p = a.model.prepared;
  let user: Float32Array | null = null;
  if (folded) user = folded.vector ?? null;
  else {
    const row = a.model.history.rowOf(a.userId);
    if (row >= 0) user = p.userFactors.subarray(row * p.rank, (row + 1) * p.rank);
  }
  if (!user) return list;
  const { catalog } = a.model;
  const newItems = ctx.newItems!;
  return mixNewItems(list, user, news.vectors, Math.max(list.items.length, p.table.depth), (row) => !catalog.isBlocked(row) && !newItems.touched(catalog.idAt(row), a.userId)) as Pick<
    UserList,
    'items' | 'scores'
  >;
}

/** The factor-ranked rest of a filtered answer with the new items `ok` lets through (never the user's own) ranked in by the same vector. */
function withNewRest(
  a: Ask,
  ranked: { items: number[]; scores: number[] },
  v: Float32Array,
  ok: (item: number) => boolean,
  want: number,
  news: NewItems | undefined,
): { items: number[]; scores: number[] } {
  const packed = news?.packed(a.model);
  if (!packed) return ranked;
  const { catalog } = a.model;
  const r = mixNewItems(ranked, v, packed.vectors, want, (row) => ok(row) && !news!.touched(catalog.idAt(row), a.userId));
  return { items: Array.from(r.items), scores: Array.from(r.scores) };
}

/** `picked` with the request's promotion placed (only items this user may get: not seen, passing the filters). */
function promoted(a: Ask, picked: Picked, seen: Seen | null): Picked {
  if (!a.promote || !a.promoted) return picked;
  const { catalog } = a.model;
  const f = a.filters;
  let rows = a.promoted.filter(
    (item) => !(seen?.has(item) ?? false) && (f.allow === null || f.allow[item] === 1) && !(f.exclude?.has(item) ?? false) && (f.genre < 0 || catalog.hasGenre(item, f.genre)),
  );
  if (a.promote.mode === 'boost' && seen !== null && rows.length > 1) {
    const v = userVectorOf(a.model, seen);
    if (v) {
      const allowed = new Set(rows);
      rows = rankByFactors(a.model, v, (item) => allowed.has(item), rows.length).items;
    }
  }
  return placePromoted(picked, rows, a.promote, a.offset, a.offset + a.k);
}

/** The store's answer without waiting (an in-process store's `peek`, a cache hit), or undefined when only `get` can give it. */
function answerNow(store: RecommendationStore, userId: string): UserList | null | undefined {
  return store.peek ? store.peek(userId) : store.cachedNow?.(userId);
}

function readFilters(model: ServingModel, { exclude, genre, filter, where }: AskQuery, ctx: ServeContext): Filters {
  if (exclude.length === 0 && genre === undefined && filter === undefined && where === undefined) return NO_FILTERS;
  const { catalog } = model;
  let set: Set<number> | null = null;
  for (const id of exclude) {
    const row = catalog.rowOf(id);
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
  let allow: Uint8Array | null = null;
  if (filter !== undefined || where !== undefined) {
    if (!ctx.rules) throw badRequest('this server takes no filter expressions');
    allow = ctx.rules.allow(catalog, filter, where);
  }
  return { exclude: set, genre: g, allow };
}
