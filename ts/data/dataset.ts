// Owns the in-memory rating dataset: columnar typed arrays + id maps, its builder, and row views.

import { IdMap } from './id-map.js';
import { nextCapacity, resized, trimmed } from './growable.js';

export { IdMap } from './id-map.js';

/**
 * Ratings in columns; row r is (users[r], items[r], ratings[r], timestamps[r]).
 * users/items are dense indices into userIds/itemIds; timestamps are NaN when the source had none.
 * userIds === userMap.ids (same array), likewise for items. Id maps may be shared between
 * datasets derived from one another (e.g. train/test views), so userIds.length can exceed the
 * number of distinct users actually present in `users`. Columns may be views (byteOffset 0) over
 * somewhat larger ArrayBuffers: use their length, not buffer.byteLength.
 */
export interface Dataset {
  readonly length: number;
  readonly users: Uint32Array;
  readonly items: Uint32Array;
  readonly ratings: Float32Array;
  readonly timestamps: Float64Array;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly userMap: IdMap;
  readonly itemMap: IdMap;
}

export interface DatasetColumns {
  users: Uint32Array;
  items: Uint32Array;
  ratings: Float32Array;
  timestamps?: Float64Array;
}

export function makeDataset(cols: DatasetColumns, userMap: IdMap, itemMap: IdMap): Dataset {
  const n = cols.users.length;
  if (cols.items.length !== n || cols.ratings.length !== n || (cols.timestamps && cols.timestamps.length !== n)) {
    throw new Error('makeDataset: columns have different lengths');
  }
  return {
    length: n,
    users: cols.users,
    items: cols.items,
    ratings: cols.ratings,
    timestamps: cols.timestamps ?? new Float64Array(n).fill(NaN),
    userIds: userMap.ids,
    itemIds: itemMap.ids,
    userMap,
    itemMap,
  };
}

/** Appends rows into growing typed arrays. One shared capacity keeps push() monomorphic and cheap. */
export class DatasetBuilder {
  readonly userMap: IdMap;
  readonly itemMap: IdMap;
  length = 0;
  private cap: number;
  private users: Uint32Array;
  private items: Uint32Array;
  private ratings: Float32Array;
  private timestamps: Float64Array;

  constructor(opts: { userMap?: IdMap; itemMap?: IdMap; capacity?: number } = {}) {
    this.userMap = opts.userMap ?? new IdMap();
    this.itemMap = opts.itemMap ?? new IdMap();
    this.cap = Math.max(16, opts.capacity ?? 1024);
    this.users = new Uint32Array(this.cap);
    this.items = new Uint32Array(this.cap);
    this.ratings = new Float32Array(this.cap);
    this.timestamps = new Float64Array(this.cap);
  }

  get capacity(): number {
    return this.cap;
  }

  /** Ensure room for `total` rows without further growth. */
  reserve(total: number): void {
    if (total > this.cap) this.grow(total);
  }

  /** Append a row of dense indices (already interned in userMap/itemMap). */
  push(user: number, item: number, rating: number, timestamp: number): void {
    if (this.length === this.cap) this.grow(nextCapacity(this.cap, this.cap + 1));
    const r = this.length++;
    this.users[r] = user;
    this.items[r] = item;
    this.ratings[r] = rating;
    this.timestamps[r] = timestamp;
  }

  /** Append a row by original ids (convenience; parsers intern ids themselves). */
  add(user: string, item: string, rating = 1, timestamp = NaN): void {
    this.push(this.userMap.intern(user), this.itemMap.intern(item), rating, timestamp);
  }

  /** The dataset; the builder must not be used afterwards. */
  build(): Dataset {
    const n = this.length;
    return makeDataset(
      {
        users: trimmed(this.users, n),
        items: trimmed(this.items, n),
        ratings: trimmed(this.ratings, n),
        timestamps: trimmed(this.timestamps, n),
      },
      this.userMap,
      this.itemMap,
    );
  }

  private grow(cap: number): void {
    const n = this.length;
    this.users = resized(this.users, cap, n);
    this.items = resized(this.items, cap, n);
    this.ratings = resized(this.ratings, cap, n);
    this.timestamps = resized(this.timestamps, cap, n);
    this.cap = cap;
  }
}

/** Rows `rows` of `ds` (in the given order), sharing ds's id maps: indices stay comparable. */
export function takeRows(ds: Dataset, rows: ArrayLike<number>): Dataset {
  const n = rows.length;
  const users = new Uint32Array(n);
  const items = new Uint32Array(n);
  const ratings = new Float32Array(n);
  const timestamps = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const r = rows[k]!;
    if (r >= ds.length) throw new RangeError(`takeRows: row ${r} out of range (length ${ds.length})`);
    users[k] = ds.users[r]!;
    items[k] = ds.items[r]!;
    ratings[k] = ds.ratings[r]!;
    timestamps[k] = ds.timestamps[r]!;
  }
  return makeDataset({ users, items, ratings, timestamps }, ds.userMap, ds.itemMap);
}

/** Small datasets from literal rows: [user, item, rating?, timestamp?] (tests, examples). */
export function datasetFromRows(rows: ReadonlyArray<readonly [string | number, string | number, number?, number?]>): Dataset {
  const b = new DatasetBuilder({ capacity: rows.length });
  for (const [u, i, r, t] of rows) b.add(String(u), String(i), r ?? 1, t ?? NaN);
  return b.build();
}
