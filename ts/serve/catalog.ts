// Owns the item side of a loaded model: item id ↔ row, each item's JSON fragment for responses
// (id, title, genres; built on first use and kept), genre membership, the popularity list
// that answers unknown users and fills filtered lists, and which rows the item catalogue blocks
// now (deleted, unavailable, not launched; set by ./item-catalogue.ts, read by every answer).

import { IdIndex } from '../store/embedded-ids.js';
import { itemFragment, type PreparedModel } from './prepared.js';

export class Catalog {
  readonly size: number;
  /** The model version as a JSON string literal, UTF-8. */
  readonly versionJson: Buffer;
  readonly ids: IdIndex;
  /** Item rows, most popular first. */
  readonly popular: Uint32Array;
  /** Scores of `popular`: interaction count / the top count, in (0, 1]. */
  readonly popularScores: Float32Array;
  readonly genreNames: readonly string[];
  private readonly genreByName: Map<string, number>;
  private readonly genreBits: Uint32Array;
  private readonly words: number;
  private readonly titles: (string | null)[] | null;
  private readonly genres: string[][] | null;
  private readonly fragments: (Buffer | undefined)[];
  /** The largest fragment(i).length. */
  maxFragmentBytes: number;
  /** Items added since the model was trained (./new-items.ts): rows size, size + 1, … */
  private readonly extraIds: string[] = [];
  private readonly extraRows = new Map<string, number>();
  private readonly extraFragments: Buffer[] = [];
  private readonly blockedExtra = new Set<number>();
  /** 1 for item rows never to recommend now (the item catalogue's deleted, unavailable, unlaunched items). */
  private readonly blockedRows: Uint8Array;
  /** How many rows are blocked (0: answers skip the checks). */
  blockedCount = 0;
  /** Moves on every change that can change an answer: an item blocked or unblocked, a new item's row or fragment (../answer-cache.ts). */
  generation = 0;

  constructor(p: PreparedModel) {
    this.size = p.itemCount;
    this.versionJson = Buffer.from(JSON.stringify(p.manifest.version));
    this.ids = new IdIndex(p.items);
    this.popular = p.popularity.items;
    const top = p.popularity.counts[0] ?? 0;
    this.popularScores = Float32Array.from(p.popularity.counts, (c) => (top > 0 ? c / top : 0));
    this.genreNames = p.genreNames;
    this.genreByName = new Map(p.genreNames.map((g, i) => [g.toLowerCase(), i]));
    this.genreBits = p.genreBits;
    this.words = Math.ceil(p.itemCount / 32);
    this.titles = p.titles;
    this.genres = p.genres;
    this.fragments = new Array<Buffer | undefined>(p.itemCount);
    this.maxFragmentBytes = p.maxFragmentBytes;
    this.blockedRows = new Uint8Array(p.itemCount);
  }

  /** An item's row: the model's, else a new item's (≥ size), else -1. */
  rowOf(id: string): number {
    const row = this.ids.rowOf(id);
    return row >= 0 ? row : (this.extraRows.get(id) ?? -1);
  }

  /** The id of a row (the model's or a new item's). */
  idAt(row: number): string {
    return row < this.size ? this.ids.idAt(row) : this.extraIds[row - this.size]!;
  }

  /** How many new items have rows. */
  get extraCount(): number {
    return this.extraIds.length;
  }

  /** The row of a new item (added on first use), with its title and categories for answers. */
  addExtra(id: string, title: string | null | undefined, categories: readonly string[] | null | undefined): number {
    let row = this.extraRows.get(id);
    if (row === undefined) {
      row = this.size + this.extraIds.length;
      this.extraIds.push(id);
      this.extraRows.set(id, row);
    }
    const f = Buffer.from(itemFragment(id, title, categories), 'utf8');
    this.extraFragments[row - this.size] = f;
    this.generation++;
    if (f.length > this.maxFragmentBytes) this.maxFragmentBytes = f.length;
    return row;
  }

  /** Never recommend this item row now? */
  isBlocked(item: number): boolean {
    return item < this.size ? this.blockedRows[item] === 1 : this.blockedExtra.has(item);
  }

  /** Blocks or unblocks an item row (the item catalogue's state of the item changed). */
  setBlocked(item: number, blocked: boolean): void {
    if (item >= this.size) {
      const was = this.blockedExtra.has(item);
      if (was === blocked) return;
      this.blockedCount += blocked ? 1 : -1;
      this.generation++;
      if (blocked) this.blockedExtra.add(item);
      else this.blockedExtra.delete(item);
      return;
    }
    const was = this.blockedRows[item] === 1;
    if (was === blocked) return;
    this.blockedRows[item] = blocked ? 1 : 0;
    this.blockedCount += blocked ? 1 : -1;
    this.generation++;
  }

  /** True when none of `items`' first `k` is blocked (a stored list can then be served as it is). */
  noneBlocked(items: ArrayLike<number>, k: number): boolean {
    if (this.blockedCount === 0) return true;
    const n = Math.min(k, items.length);
    for (let i = 0; i < n; i++) if (this.isBlocked(items[i]!)) return false;
    return true;
  }

  /** A genre's index (case-insensitive), or -1. */
  genreIndex(name: string): number {
    return this.genreByName.get(name.toLowerCase()) ?? -1;
  }

  hasGenre(item: number, genre: number): boolean {
    if (item >= this.size) return false;
    return (this.genreBits[genre * this.words + (item >>> 5)]! & (1 << (item & 31))) !== 0;
  }

  /** The model's genres of an item row (empty without metadata). */
  genresOf(item: number): readonly string[] {
    return this.genres?.[item] ?? [];
  }

  /** The model's title of an item row, or null. */
  titleOf(item: number): string | null {
    return this.titles?.[item] ?? null;
  }

  /** UTF-8 of `{"itemId":…,"title":…,"genres":[…],"score":` — append the score and `}`. */
  fragment(item: number): Buffer {
    if (item >= this.size) return this.extraFragments[item - this.size]!;
    let f = this.fragments[item];
    if (f === undefined) {
      f = Buffer.from(itemFragment(this.ids.idAt(item), this.titles?.[item], this.genres?.[item]), 'utf8');
      this.fragments[item] = f;
    }
    return f;
  }
}
