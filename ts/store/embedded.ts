// Owns the embedded store: the active artifact's precomputed top-k table held in process, looked
// up in O(1) by user id through an IdIndex (./embedded-ids.ts) or directly by user row. Lists are
// views into the table (no copy); empty slots (EMPTY_ITEM) at the end of a row are cut off.
// Erased users are masked: their row is emptied in place and lookups answer null for them.

import { buildIdIndex, IdIndex, type IdIndexData } from './embedded-ids.js';
import { StoreError, type ErasedLists, type RecommendationStore, type UserList } from './types.js';

const EMPTY_ITEM = 0xffff_ffff;

/** What the embedded store is made of (plain data, transferable from a worker). */
export interface EmbeddedTable {
  modelVersion: string;
  depth: number;
  /** users × depth item rows (EMPTY_ITEM = empty), best first. */
  items: Uint32Array;
  scores: Float32Array;
  users: IdIndexData;
}

export class EmbeddedStore implements RecommendationStore {
  readonly kind = 'embedded';
  readonly modelVersion: string;
  readonly depth: number;
  readonly users: IdIndex;
  private items: Uint32Array;
  private scores: Float32Array;
  private closed = false;
  /** Rows of erased users (emptied; never served again by this store). */
  private readonly masked = new Set<number>();

  constructor(table: EmbeddedTable) {
    this.modelVersion = table.modelVersion;
    this.depth = table.depth;
    this.users = new IdIndex(table.users);
    this.items = table.items;
    this.scores = table.scores;
    if (this.items.length !== this.users.size * this.depth || this.scores.length !== this.items.length) {
      throw new Error(`embedded store: the top-k table (${this.items.length} slots) does not match ${this.users.size} users × depth ${this.depth}`);
    }
  }

  /** From an artifact's parts (builds the id index on this thread). */
  static fromArtifact(a: { manifest: { version: string }; userIds: readonly string[]; topk: { depth: number; items: Uint32Array; scores: Float32Array } }): EmbeddedStore {
    return new EmbeddedStore({ modelVersion: a.manifest.version, depth: a.topk.depth, items: a.topk.items, scores: a.topk.scores, users: buildIdIndex(a.userIds, 'user id') });
  }

  rowNow(user: string): number {
    if (this.closed) throw new StoreError('embedded store: closed', 'closed');
    const row = this.users.rowOf(user);
    return row < 0 || (this.masked.size > 0 && this.masked.has(row)) ? -1 : row;
  }

  /** Synchronous lookup (the async `get` wraps it). */
  peek(user: string | number): UserList | null {
    if (this.closed) throw new StoreError('embedded store: closed', 'closed');
    const row = typeof user === 'number' ? (Number.isInteger(user) && user >= 0 && user < this.users.size ? user : -1) : this.users.rowOf(user);
    if (row < 0 || (this.masked.size > 0 && this.masked.has(row))) return null;
    const start = row * this.depth;
    const stop = start + this.depth;
    // most rows are full: one read of the last slot instead of a scan of the row (with a million
    // users each row is a cache miss; a scan touches all of its lines, `pick` needs the first)
    let end = stop;
    if (this.items[stop - 1] === EMPTY_ITEM) {
      end = start;
      while (end < stop && this.items[end] !== EMPTY_ITEM) end++;
    }
    return { modelVersion: this.modelVersion, items: this.items.subarray(start, end), scores: this.scores.subarray(start, end) };
  }

  get(user: string | number): Promise<UserList | null> {
    try {
      return Promise.resolve(this.peek(user));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Masks the user's row (emptied in place); `stored` is 1 when it held a list not masked before. */
  erase(userId: string): Promise<ErasedLists> {
    if (this.closed) return Promise.reject(new StoreError('embedded store: closed', 'closed'));
    return Promise.resolve({ stored: this.maskRow(this.users.rowOf(userId)) ? 1 : 0, cached: 0 });
  }

  mask(userIds: Iterable<string>): void {
    for (const id of userIds) this.maskRow(this.users.rowOf(id));
  }

  private maskRow(row: number): boolean {
    if (row < 0 || this.masked.has(row)) return false;
    this.masked.add(row);
    const start = row * this.depth;
    const held = this.items[start] !== EMPTY_ITEM;
    this.items.fill(EMPTY_ITEM, start, start + this.depth);
    this.scores.fill(-Infinity, start, start + this.depth);
    return held;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.items = new Uint32Array(0);
    this.scores = new Float32Array(0);
  }
}
