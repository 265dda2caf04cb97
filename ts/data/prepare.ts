// Owns dataset preparation: duplicate (user, item) resolution, min-count and iterative k-core
// filters, and re-indexing to dense ids afterwards.
//
// Duplicates: for each (user, item) pair one row is kept: the one with the latest timestamp; on
// equal timestamps (or both missing) the one later in file order; a row with a timestamp beats
// one without.
// Filters work on row lists (Uint32Array of row numbers in file order) and only materialise a
// new Dataset at the end.

import { IdMap } from './id-map.js';
import { makeDataset, takeRows, type Dataset } from './dataset.js';
import { countBy, groupRows } from './group.js';
import { iota } from './random.js';

export interface MinCounts {
  /** Keep users with at least this many ratings (default 1). */
  users?: number;
  /** Keep items with at least this many ratings (default 1). */
  items?: number;
}

export interface PrepareOptions {
  /** Resolve duplicate (user, item) pairs (default true). */
  dedupe?: boolean;
  /** One filtering pass: items first, then users (one round of Recommenders' filter_k_core). */
  minCounts?: MinCounts;
  /** Repeat the min-count filter until every user and item passes (a number applies to both). */
  kCore?: number | MinCounts;
}

export interface PrepareStats {
  inputRows: number;
  duplicatesRemoved: number;
  filteredRows: number;
  kCoreRounds: number;
  rows: number;
  users: number;
  items: number;
}

/** Dedupe + filters + re-index. The result has fresh, dense id maps. */
export function prepare(ds: Dataset, opts: PrepareOptions = {}): { dataset: Dataset; stats: PrepareStats } {
  let rows = iota(ds.length);
  if (opts.dedupe ?? true) rows = dedupeRows(ds);
  const afterDedupe = rows.length;
  if (opts.minCounts) rows = minCountRows(ds, rows, opts.minCounts);
  let rounds = 0;
  if (opts.kCore !== undefined) {
    const k = typeof opts.kCore === 'number' ? { users: opts.kCore, items: opts.kCore } : opts.kCore;
    ({ rows, rounds } = kCoreRows(ds, rows, k));
  }
  const dataset = reindex(ds, rows);
  return {
    dataset,
    stats: {
      inputRows: ds.length,
      duplicatesRemoved: ds.length - afterDedupe,
      filteredRows: afterDedupe - rows.length,
      kCoreRounds: rounds,
      rows: dataset.length,
      users: dataset.userIds.length,
      items: dataset.itemIds.length,
    },
  };
}

/** Rows kept after resolving duplicate (user, item) pairs (see the rule above), in file order. */
export function dedupeRows(ds: Dataset): Uint32Array {
  const { users, items, timestamps: ts } = ds;
  const groups = groupRows(users, ds.userIds.length);
  const stamp = new Uint32Array(ds.itemIds.length); // user + 1 that last touched the item
  const winner = new Uint32Array(ds.itemIds.length);
  const keep = new Uint8Array(ds.length);
  let kept = 0;
  for (let u = 0; u < ds.userIds.length; u++) {
    const start = groups.offsets[u]!;
    const end = groups.offsets[u + 1]!;
    for (let k = start; k < end; k++) {
      const r = groups.rows[k]!; // increasing within a user: later rows come later
      const i = items[r]!;
      if (stamp[i] !== u + 1) {
        stamp[i] = u + 1;
        winner[i] = r;
      } else {
        const t = ts[r]!;
        const w = ts[winner[i]!]!;
        if (t >= w || Number.isNaN(w)) winner[i] = r; // later wins ties; any timestamp beats none
      }
    }
    for (let k = start; k < end; k++) {
      const r = groups.rows[k]!;
      if (winner[items[r]!] === r) {
        keep[r] = 1;
        kept++;
      }
    }
  }
  return rowsWhere(keep, kept);
}

/** One pass: drop items with fewer than `items` ratings, then users with fewer than `users`. */
export function minCountRows(ds: Dataset, rows: Uint32Array, min: MinCounts): Uint32Array {
  let out = rows;
  if ((min.items ?? 1) > 1) out = filterByCount(ds.items, ds.itemIds.length, out, min.items ?? 1);
  if ((min.users ?? 1) > 1) out = filterByCount(ds.users, ds.userIds.length, out, min.users ?? 1);
  return out;
}

/** Repeat minCountRows until every remaining user and item meets its minimum (the k-core). */
export function kCoreRows(ds: Dataset, rows: Uint32Array, min: MinCounts): { rows: Uint32Array; rounds: number } {
  let out = rows;
  let rounds = 0;
  for (;;) {
    const next = minCountRows(ds, out, min);
    rounds++;
    if (next.length === out.length) return { rows: next, rounds };
    out = next;
  }
}

function filterByCount(keys: Uint32Array, numKeys: number, rows: Uint32Array, min: number): Uint32Array {
  const counts = countBy(keys, numKeys, rows);
  let n = 0;
  for (let k = 0; k < rows.length; k++) if (counts[keys[rows[k]!]!]! >= min) n++;
  if (n === rows.length) return rows;
  const out = new Uint32Array(n);
  let j = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    if (counts[keys[r]!]! >= min) out[j++] = r;
  }
  return out;
}

function rowsWhere(mask: Uint8Array, count: number): Uint32Array {
  const out = new Uint32Array(count);
  let j = 0;
  for (let r = 0; r < mask.length; r++) if (mask[r]) out[j++] = r;
  return out;
}

/**
 * A new Dataset of `rows` (default all) with dense id maps holding only the users and items that
 * occur, numbered in the order of their old indices (so first-appearance order is preserved).
 */
export function reindex(ds: Dataset, rows: Uint32Array = iota(ds.length)): Dataset {
  const [userMap, userOld2New] = compact(ds.users, ds.userIds, rows);
  const [itemMap, itemOld2New] = compact(ds.items, ds.itemIds, rows);
  const out = takeRows(ds, rows);
  for (let k = 0; k < out.length; k++) {
    out.users[k] = userOld2New[out.users[k]!]!;
    out.items[k] = itemOld2New[out.items[k]!]!;
  }
  return makeDataset(out, userMap, itemMap);
}

function compact(keys: Uint32Array, ids: readonly string[], rows: Uint32Array): [IdMap, Int32Array] {
  const used = countBy(keys, ids.length, rows);
  const old2new = new Int32Array(ids.length).fill(-1);
  const map = new IdMap();
  for (let k = 0; k < ids.length; k++) if (used[k]! > 0) old2new[k] = map.intern(ids[k]!);
  return [map, old2new];
}
