// Owns the fold-in results held in memory: userId → ready-to-serve list, bounded both in entries
// and in estimated bytes, least recently used evicted first (../util/lru.ts: a hit makes the entry
// the newest, an eviction takes the oldest, both O(1) however many were evicted before). Evicted
// users are remembered in a fixed-size Bloom filter, so a later request for one of them can ask
// for a fold-in again from their stored events (a false positive costs one fold-in that finds
// nothing new); its size never grows.
//
// Each list is one record of 32-bit words in a slab (../util/slab.ts): [k, s, v, version id,
// items (k), scores (k, as float bits), seen rows (s), vector (v)], the map holding only its slot
// number. Entries live long enough to reach V8's old generation; an object, a buffer and four views
// per entry were copied there by every scavenge and swept by the mark-compacts they brought (the
// request thread's longest pauses under ingestion); a slot is neither. `get` hands out views of
// the record, valid until the entry is replaced or evicted: use them before yielding.

import { Lru } from '../util/lru.js';
import { Slab } from '../util/slab.js';

export interface FoldInList {
  modelVersion: string;
  /** Item rows, best first (empty: no positive signal; the API fills from the popularity list). */
  items: Uint32Array;
  scores: Float32Array;
  /** Item rows the user interacted with through their events, ascending. */
  seen: Uint32Array;
  /** The user's folded-in vector, a view of the lists' buffer (scores new items against the list). */
  vector?: Float32Array;
}

export interface OverlayBounds {
  /** Most lists held (default 100,000; RECS_FOLDIN_MAX_ENTRIES). */
  maxEntries: number;
  /** Most estimated bytes held (default 128 MiB; RECS_FOLDIN_MAX_BYTES). */
  maxBytes: number;
}

export const DEFAULT_OVERLAY_BOUNDS: OverlayBounds = { maxEntries: 100_000, maxBytes: 128 << 20 };

/** Words of a record's header: k, s, v, version id. */
const HEADER = 4;

/** Estimated bytes of one entry: its slot, the id, the map's slot and entry. */
export function entryBytes(userId: string, l: Pick<FoldInList, 'items' | 'seen' | 'vector'>): number {
  return slotEntryBytes(userId, Slab.slotWords(recordWords(l)));
}

function slotEntryBytes(userId: string, slotWords: number): number {
  return 2 * userId.length + 4 * slotWords + 100;
}

function recordWords(l: Pick<FoldInList, 'items' | 'seen' | 'vector'>): number {
  return HEADER + 2 * l.items.length + l.seen.length + (l.vector?.length ?? 0);
}

const BLOOM_BITS = 1 << 23; // 1 MiB: about 2 % false positives at 1M evicted users
const BLOOM_HASHES = 5;

/** The last id's two hashes (hashInto writes them here: a GET asks the filter, so no array or number is allocated per call). */
const H = new Int32Array(2);

/** Two independent string hashes (FNV-1a and a Murmur-style multiply) into H; bit k is H[0] + k·H[1]. */
function hashInto(id: string): void {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  H[0] = h1;
  H[1] = h2 | 1;
}

export class FoldInOverlayCache {
  /** userId → the slot of their record in `slab`. */
  private readonly map = new Lru<string, number>();
  private readonly slab = new Slab();
  /** Model versions by the id a record holds (a handful over a server's life: one per version loaded). */
  private readonly versions: string[] = [];
  private readonly versionIds = new Map<string, number>();
  private bytesHeld = 0;
  evictions = 0;
  private readonly bloom = new Uint32Array(BLOOM_BITS / 32);
  private bloomUsed = false;

  constructor(readonly bounds: OverlayBounds = DEFAULT_OVERLAY_BOUNDS) {}

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  /** The user's list (views of its record), marked as just used. */
  get(userId: string): FoldInList | undefined {
    const h = this.map.get(userId);
    if (h === undefined) return undefined;
    const w = this.slab.words(h);
    const r = this.slab.at(h);
    const [k, s, v] = [w[r]!, w[r + 1]!, w[r + 2]!];
    const at = w.byteOffset + 4 * (r + HEADER);
    const list: FoldInList = {
      modelVersion: this.versions[w[r + 3]!]!,
      items: new Uint32Array(w.buffer, at, k),
      scores: new Float32Array(w.buffer, at + 4 * k, k),
      seen: new Uint32Array(w.buffer, at + 8 * k, s),
    };
    if (v > 0) list.vector = new Float32Array(w.buffer, at + 4 * (2 * k + s), v);
    return list;
  }

  /** Keeps a copy of the list as the user's newest entry, evicting beyond the bounds. */
  set(userId: string, l: FoldInList): void {
    this.delete(userId);
    if (this.bounds.maxEntries <= 0 || this.bounds.maxBytes <= 0) return this.remember(userId);
    this.map.set(userId, this.write(l));
    this.bytesHeld += entryBytes(userId, l);
    while (this.map.size > this.bounds.maxEntries || this.bytesHeld > this.bounds.maxBytes) {
      const [oldest, h] = this.map.shift()!;
      this.drop(oldest, h);
      this.evictions++;
      this.remember(oldest);
    }
  }

  delete(userId: string): boolean {
    const h = this.map.peek(userId);
    if (h === undefined) return false;
    this.map.delete(userId);
    this.drop(userId, h);
    return true;
  }

  /** The list's record in a new slot. */
  private write(l: FoldInList): number {
    const [k, s, v] = [l.items.length, l.seen.length, l.vector?.length ?? 0];
    const h = this.slab.alloc(recordWords(l));
    const w = this.slab.words(h);
    const r = this.slab.at(h);
    let id = this.versionIds.get(l.modelVersion);
    if (id === undefined) {
      id = this.versions.push(l.modelVersion) - 1;
      this.versionIds.set(l.modelVersion, id);
    }
    w[r] = k;
    w[r + 1] = s;
    w[r + 2] = v;
    w[r + 3] = id;
    w.set(l.items, r + HEADER);
    new Float32Array(w.buffer, w.byteOffset + 4 * (r + HEADER + k), k).set(l.scores);
    w.set(l.seen, r + HEADER + 2 * k);
    if (l.vector) new Float32Array(w.buffer, w.byteOffset + 4 * (r + HEADER + 2 * k + s), v).set(l.vector);
    return h;
  }

  /** Frees the entry's slot and its bytes. */
  private drop(userId: string, h: number): void {
    const w = this.slab.words(h);
    const r = this.slab.at(h);
    this.bytesHeld -= slotEntryBytes(userId, Slab.slotWords(HEADER + 2 * w[r]! + w[r + 1]! + w[r + 2]!));
    this.slab.free(h);
  }

  /** Remembers that the user may have a fold-in to redo (evicted, or not queued when the queue was full). */
  remember(userId: string): void {
    this.bloomUsed = true;
    hashInto(userId);
    for (let k = 0; k < BLOOM_HASHES; k++) {
      const bit = (H[0]! + Math.imul(k, H[1]!)) & (BLOOM_BITS - 1);
      this.bloom[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  /** Might the user have a fold-in to redo? (false: certainly not) */
  mayHaveEvicted(userId: string): boolean {
    if (!this.bloomUsed) return false;
    hashInto(userId);
    for (let k = 0; k < BLOOM_HASHES; k++) {
      const bit = (H[0]! + Math.imul(k, H[1]!)) & (BLOOM_BITS - 1);
      if ((this.bloom[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
