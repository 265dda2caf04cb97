// Owns building the metrics' columnar inputs from rows with original (string) ids.
//
// Ids are interned into shared IdMaps (ts/data/id-map), so truth, predictions and train built
// with the same maps agree on indices. Unknown ids are added, never rejected.

import { IdMap } from '../data/id-map.js';
import type { InteractionData, PredictionData, TruthData } from './types.js';

export interface IdMaps {
  readonly users: IdMap;
  readonly items: IdMap;
}

export type RawId = string | number;
export interface InteractionRow {
  readonly user: RawId;
  readonly item: RawId;
}
export interface RatingRow extends InteractionRow {
  readonly rating: number;
}
export interface ScoreRow extends InteractionRow {
  readonly score: number;
}

export function newIdMaps(): IdMaps {
  return { users: new IdMap(), items: new IdMap() };
}

function intern(map: IdMap, id: RawId): number {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return map.internNumber(id);
  return map.intern(String(id));
}

function columns<R extends InteractionRow>(rows: Iterable<R>, ids: IdMaps, value: ((r: R) => number) | null): { users: Uint32Array; items: Uint32Array; values: Float32Array } {
  const list = Array.isArray(rows) ? (rows as readonly R[]) : Array.from(rows);
  const users = new Uint32Array(list.length);
  const items = new Uint32Array(list.length);
  const values = new Float32Array(value ? list.length : 0);
  list.forEach((r, i) => {
    users[i] = intern(ids.users, r.user);
    items[i] = intern(ids.items, r.item);
    if (value) values[i] = value(r);
  });
  return { users, items, values };
}

export function truthFromRows(rows: Iterable<RatingRow>, ids: IdMaps): TruthData {
  const c = columns(rows, ids, (r) => r.rating);
  return { users: c.users, items: c.items, ratings: c.values };
}

export function predictionsFromRows(rows: Iterable<ScoreRow>, ids: IdMaps): PredictionData {
  const c = columns(rows, ids, (r) => r.score);
  return { users: c.users, items: c.items, scores: c.values };
}

export function interactionsFromRows(rows: Iterable<InteractionRow>, ids: IdMaps): InteractionData {
  const c = columns(rows, ids, null);
  return { users: c.users, items: c.items };
}
