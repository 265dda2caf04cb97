// Owns what a recommendation or similar-items answer contains and its JSON text: picking k items
// from a precomputed list through the filters (exclude, genre), filling from the popularity list
// when the stored depth runs out (counted in filledFromFallback), and writing the body as bytes
// from each item's cached, pre-encoded JSON fragment (./json-bytes.ts says why bytes).

import type { UserList } from '../store/types.js';
import type { Catalog } from './catalog.js';
import { JsonBytes, utf8 } from './json-bytes.js';

export interface Filters {
  /** Item rows to leave out, or null. */
  exclude: ReadonlySet<number> | null;
  /** Genre index items must have, or -1 for any. */
  genre: number;
}

export interface Picked {
  /** The items are items[0..count) (a stored list itself when it is used unfiltered and uncut). */
  items: ArrayLike<number>;
  scores: ArrayLike<number>;
  count: number;
  /** How many of the items (the last ones) came from the popularity list. */
  fromFallback: number;
}

export type Source = 'precomputed' | 'foldin' | 'fallback';

/** Up to k items: the list's (filtered), then popular ones not already there (filtered too). */
export function pick(list: Pick<UserList, 'items' | 'scores'> | null, catalog: Catalog, k: number, f: Filters): Picked {
  // most requests: no filters and a list at least k deep; its first k items are the answer, as they are
  if (list && f.exclude === null && f.genre < 0 && list.items.length >= k) return { items: list.items, scores: list.scores, count: k, fromFallback: 0 };
  const items: number[] = [];
  const scores: number[] = [];
  const ok = (item: number) => !(f.exclude?.has(item) ?? false) && (f.genre < 0 || catalog.hasGenre(item, f.genre));
  if (list) {
    for (let i = 0; i < list.items.length && items.length < k; i++) {
      const item = list.items[i]!;
      if (ok(item)) {
        items.push(item);
        scores.push(list.scores[i]!);
      }
    }
  }
  const fromList = items.length;
  const { popular, popularScores } = catalog;
  for (let i = 0; i < popular.length && items.length < k; i++) {
    const item = popular[i]!;
    if (ok(item) && (fromList === 0 || !items.includes(item))) {
      items.push(item);
      scores.push(popularScores[i]!);
    }
  }
  return { items, scores, count: items.length, fromFallback: items.length - fromList };
}

export interface RecommendationsAnswer {
  userId: string;
  picked: Picked;
  source: Source;
  /** Why the fallback answered: the user is unknown, or the store failed. */
  fallbackReason?: 'unknown_user' | 'store_error' | undefined;
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
};

/** The response body of a recommendations answer (UTF-8 JSON). */
export function recommendationsBody(a: RecommendationsAnswer, catalog: Catalog): Buffer {
  const w = new JsonBytes(bound(a.userId, a.picked, catalog));
  w.raw(L.userId).string(a.userId).raw(L.items);
  itemsInto(w, a.picked, catalog);
  const t = tails(catalog);
  w.raw(a.source === 'precomputed' ? t.precomputed : a.source === 'fallback' ? t.fallback : t.foldin);
  if (a.fallbackReason) w.raw(a.fallbackReason === 'unknown_user' ? L.unknownUser : L.storeError);
  w.raw(L.filled).uint(a.source === 'fallback' ? 0 : a.picked.fromFallback);
  return w.raw(generatedAtEnd()).done();
}

/** `],"modelVersion":…,"source":…` per source, encoded once per model (the last model's are kept). */
let tailsOf: { catalog: Catalog; bytes: Record<Source, Buffer> } | null = null;
function tails(catalog: Catalog): Record<Source, Buffer> {
  if (tailsOf?.catalog !== catalog) {
    const tail = (source: Buffer) => Buffer.concat([L.modelVersion, catalog.versionJson, source]);
    tailsOf = { catalog, bytes: { precomputed: tail(L.precomputed), foldin: tail(L.foldin), fallback: tail(L.fallback) } };
  }
  return tailsOf.bytes;
}

/** The response body of a similar-items answer. */
export function similarBody(itemId: string, picked: Pick<Picked, 'items' | 'scores' | 'count'>, catalog: Catalog): Buffer {
  const w = new JsonBytes(bound(itemId, picked, catalog));
  w.raw(L.itemId).string(itemId).raw(L.items);
  itemsInto(w, picked, catalog);
  return w.raw(L.modelVersion).raw(catalog.versionJson).raw(generatedAtEnd()).done();
}

/** Bytes enough for the body: fixed parts (< 200), the escaped id, each item's fragment, score (≤ 24) and "},". */
function bound(id: string, p: Pick<Picked, 'count'>, catalog: Catalog): number {
  return 200 + 6 * id.length + catalog.versionJson.length + p.count * (catalog.maxFragmentBytes + 26);
}

function itemsInto(w: JsonBytes, p: Pick<Picked, 'items' | 'scores' | 'count'>, catalog: Catalog): void {
  const { items, scores, count } = p;
  for (let i = 0; i < count; i++) {
    if (i > 0) w.char(0x2c);
    w.raw(catalog.fragment(items[i]!)).score(scores[i]!).char(0x7d);
  }
}

let lastMs = 0;
let lastEnd = utf8('');
/** `,"generatedAt":"<now, ISO 8601>"}`, the end of every body (formatted at most once per millisecond). */
function generatedAtEnd(): Buffer {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastEnd = utf8(`,"generatedAt":"${new Date(ms).toISOString()}"}`);
  }
  return lastEnd;
}
