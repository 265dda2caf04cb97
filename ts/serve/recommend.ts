// Owns what a recommendation or similar-items answer contains and its JSON text: picking k items
// from a precomputed list through the filters (exclude, genre, the item catalogue's blocked items), filling from the popularity list
// when the stored depth runs out (counted in filledFromFallback), and writing the body as bytes
// from each item's cached, pre-encoded JSON fragment (./json-bytes.ts says why bytes).

import type { UserList } from '../store/types.js';
import type { Catalog } from './catalog.js';
import { JsonBytes, utf8 } from './json-bytes.js';
import { nextRecommendationIdField, RECOMMENDATION_ID_FIELD_BYTES } from './recommendation-id.js';
import { GENERATED_AT_FIELD_BYTES, generatedAtField } from './generated-at.js';

export interface Filters {
  /** Item rows to leave out, or null. */
  exclude: ReadonlySet<number> | null;
  /** Genre index items must have, or -1 for any. */
  genre: number;
  /** 1 for item rows a filter expression lets through (./rules), or null: no filter. */
  allow: Uint8Array | null;
}

/** Ranks the items `ok` lets through (the user's vector against the item factors, ./rules/factor-fill.ts), best first; null when it cannot. */
export type RestRanker = (ok: (item: number) => boolean, want: number) => { items: number[]; scores: number[] } | null;

export interface Picked {
  /** The page is items[start .. start + count) (a stored list itself when it is used unfiltered and uncut). */
  items: ArrayLike<number>;
  scores: ArrayLike<number>;
  start: number;
  count: number;
  /** How many items of the page (its last ones, unless `origins` says otherwise) came from the popularity list. */
  fromFallback: number;
  /** Per item of `items`: 0 the model, 1 the popularity list, 2 a promotion (./rules/promote.ts); absent: the last fromFallback are popular. */
  origins?: Uint8Array;
}

export type Source = 'precomputed' | 'foldin' | 'fallback';

/** Something that knows which items a user has interacted with (./history.ts). */
export interface SeenItems {
  has(item: number): boolean;
}

/**
 * Items offset .. offset + k of the user's answer: the list's items that pass the filters and that
 * the user has not seen (`listSeen`: the list may hold seen items, e.g. a fold-in list, so each is
 * checked against `seen`), then, once the list runs out, popular items not seen and not already
 * there, filtered too. One model version gives one order, so pages never repeat an item.
 *
 * Scores stay on one scale and never increase: a filled item scores `last − (1 − share)`, where
 * `last` is the score of the list's last item in the answer (1 when none) and `share` the item's
 * interaction count over the most popular item's (0, 1]; an answer of popular items alone scores
 * `share`, as before.
 */
export function pick(
  list: Pick<UserList, 'items' | 'scores'> | null,
  catalog: Catalog,
  k: number,
  f: Filters,
  offset = 0,
  seen: SeenItems | null = null,
  listSeen = false,
  rest: RestRanker | null = null,
): Picked {
  // most requests: no filters and a list at least k deep; its first k items are the answer, as they are
  if (list && offset === 0 && f.exclude === null && f.genre < 0 && f.allow === null && list.items.length >= k && !listSeen && catalog.noneBlocked(list.items, k))
    return { items: list.items, scores: list.scores, start: 0, count: k, fromFallback: 0 };
  const want = offset + k;
  const items: number[] = [];
  const scores: number[] = [];
  const ok = (item: number) => !catalog.isBlocked(item) && (f.allow === null || f.allow[item] === 1) && !(f.exclude?.has(item) ?? false) && (f.genre < 0 || catalog.hasGenre(item, f.genre));
  let taken: Set<number> | null = null;
  if (list) {
    taken = new Set();
    for (let i = 0; i < list.items.length; i++) {
      const item = list.items[i]!;
      taken.add(item);
      if (items.length < want && ok(item) && !(listSeen && seen?.has(item))) {
        items.push(item);
        scores.push(list.scores[i]!);
      }
    }
  }
  // a filter that exhausts the stored depth: the rest ranked by the model's factors, then popularity
  if (rest !== null && items.length < want) {
    const r = rest((item) => ok(item) && !(taken?.has(item) ?? false) && !(seen?.has(item) ?? false), want - items.length);
    if (r) {
      for (let i = 0; i < r.items.length; i++) {
        const item = r.items[i]!;
        (taken ??= new Set()).add(item);
        items.push(item);
        scores.push(items.length > 1 ? Math.min(r.scores[i]!, scores[items.length - 2]!) : r.scores[i]!);
      }
    }
  }
  const fromList = items.length;
  const base = fromList > 0 ? scores[fromList - 1]! : 1;
  const { popular, popularScores } = catalog;
  for (let i = 0; i < popular.length && items.length < want; i++) {
    const item = popular[i]!;
    if (ok(item) && !(taken?.has(item) ?? false) && !(seen?.has(item) ?? false)) {
      items.push(item);
      scores.push(base - (1 - popularScores[i]!));
    }
  }
  const start = Math.min(offset, items.length);
  const count = items.length - start;
  return { items, scores, start, count, fromFallback: Math.min(count, items.length - Math.max(fromList, start)) };
}

export interface RecommendationsAnswer {
  userId: string;
  picked: Picked;
  source: Source;
  /** Why the fallback answered: the user is unknown, or the store failed. */
  fallbackReason?: 'unknown_user' | 'store_error' | undefined;
  /** The page's offset (written when not 0). */
  offset?: number;
  /** Why the store cannot be trusted now (it lost the serving version), or null. */
  degraded?: string | null;
  /** `,"experiment":…,"variant":…` when an experiment assigned the user (encoded once per variant). */
  variant?: Buffer | undefined;
}

const L = {
  userId: utf8('{"userId":'),
  itemId: utf8('{"itemId":'),
  items: utf8(',"items":['),
  modelVersion: utf8('],"modelVersion":'),
  precomputed: utf8(',"source":"precomputed"'),
  fallback: utf8(',"source":"fallback"'),
  foldin: utf8(',"source":"foldin"'),
  unknownUser: utf8(',"fallbackReason":"unknown_user"'),
  storeError: utf8(',"fallbackReason":"store_error","degraded":true'),
  filled: utf8(',"filledFromFallback":'),
  offset: utf8(',"offset":'),
  degraded: utf8(',"degraded":true,"degradedReason":'),
  degradedReason: utf8(',"degradedReason":'),
  popularEnd: utf8(',"origin":"popularity"}'),
  promotedEnd: utf8(',"origin":"promoted"}'),
};

/** The response body of a recommendations answer (UTF-8 JSON). */
export function recommendationsBody(a: RecommendationsAnswer, catalog: Catalog): Buffer {
  const w = new JsonBytes(bound(a.userId, a.picked, catalog) + 6 * (a.degraded?.length ?? 0));
  w.raw(L.userId).string(a.userId).raw(L.items);
  // an answer of the fallback is all popularity by definition: its items carry no origin
  itemsInto(
    w,
    a.source === 'fallback' && (a.picked.fromFallback > 0 || a.picked.origins)
      ? { ...a.picked, fromFallback: 0, ...(a.picked.origins && { origins: a.picked.origins.map((o) => (o === 1 ? 0 : o)) }) }
      : a.picked,
    catalog,
  );
  const t = tails(catalog);
  w.raw(a.source === 'precomputed' ? t.precomputed : a.source === 'fallback' ? t.fallback : t.foldin);
  if (a.fallbackReason) w.raw(a.fallbackReason === 'unknown_user' ? L.unknownUser : L.storeError);
  if (a.degraded) w.raw(a.fallbackReason === 'store_error' ? L.degradedReason : L.degraded).string(a.degraded);
  w.raw(L.filled).uint(a.source === 'fallback' ? 0 : a.picked.fromFallback);
  if (a.offset) w.raw(L.offset).uint(a.offset);
  if (a.variant) w.raw(a.variant);
  return w.raw(nextRecommendationIdField()).raw(generatedAtField()).done();
}

/**
 * `body`, a finished answer, with a new recommendationId and the current generatedAt written over
 * its last bytes (every body ends with those two fields, each of a fixed width). In place.
 */
export function restamp(body: Buffer): Buffer {
  const at = body.length - GENERATED_AT_FIELD_BYTES;
  body.set(nextRecommendationIdField(), at - RECOMMENDATION_ID_FIELD_BYTES);
  body.set(generatedAtField(), at);
  return body;
}

/** `],"modelVersion":…,"source":…` per source, encoded once per model (an experiment's variants serve several at once). */
const tailsOf = new WeakMap<Catalog, Record<Source, Buffer>>();
function tails(catalog: Catalog): Record<Source, Buffer> {
  let bytes = tailsOf.get(catalog);
  if (!bytes) {
    const tail = (source: Buffer) => Buffer.concat([L.modelVersion, catalog.versionJson, source]);
    bytes = { precomputed: tail(L.precomputed), foldin: tail(L.foldin), fallback: tail(L.fallback) };
    tailsOf.set(catalog, bytes);
  }
  return bytes;
}

/** The response body of a similar-items answer. */
export function similarBody(itemId: string, picked: Pick<Picked, 'items' | 'scores' | 'count'>, catalog: Catalog): Buffer {
  const page = { items: picked.items, scores: picked.scores, count: picked.count, start: 0, fromFallback: 0 };
  const w = new JsonBytes(bound(itemId, picked, catalog));
  w.raw(L.itemId).string(itemId).raw(L.items);
  itemsInto(w, page, catalog);
  return w.raw(L.modelVersion).raw(catalog.versionJson).raw(nextRecommendationIdField()).raw(generatedAtField()).done();
}

/** Bytes enough for the body but a degraded reason: fixed parts (< 600 with an experiment's ≤ 280-byte variant field, the recommendationId's 54 among them), the escaped id, each item's fragment, score (≤ 24), origin (≤ 24) and "},". */
function bound(id: string, p: Pick<Picked, 'count'>, catalog: Catalog): number {
  return 600 + 6 * id.length + catalog.versionJson.length + p.count * (catalog.maxFragmentBytes + 50);
}

/** The page's items; the last `fromFallback` ones are labelled `"origin":"popularity"`. */
function itemsInto(w: JsonBytes, p: Picked, catalog: Catalog): void {
  const { items, scores, start, count } = p;
  const filled = start + count - p.fromFallback;
  const { origins } = p;
  for (let i = start; i < start + count; i++) {
    if (i > start) w.char(0x2c);
    w.raw(catalog.fragment(items[i]!)).score(scores[i]!);
    const origin = origins ? origins[i]! : i < filled ? 0 : 1;
    if (origin === 0) w.char(0x7d);
    else w.raw(origin === 1 ? L.popularEnd : L.promotedEnd);
  }
}
