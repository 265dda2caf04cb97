// Owns the fold-in results held in memory: userId → ready-to-serve list, bounded both in entries
// and in estimated bytes, least recently used evicted first (../util/lru.ts: a hit makes the entry
// the newest, an eviction takes the oldest, both O(1) however many were evicted before). Evicted
// users are remembered in a fixed-size Bloom filter, so a later request for one of them can ask
// for a fold-in again from their stored events (a false positive costs one fold-in that finds
// nothing new); its size never grows.

import { Lru } from '../util/lru.js';

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

/** Estimated heap bytes of one entry: the lists, the id, the Map entry, the object and its views. */
export function entryBytes(userId: string, l: FoldInList): number {
  return 2 * userId.length + l.items.byteLength + l.scores.byteLength + l.seen.byteLength + (l.vector?.byteLength ?? 0) + 400;
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
  private readonly map = new Lru<string, FoldInList>();
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

  /** The user's list, marked as just used. */
  get(userId: string): FoldInList | undefined {
    return this.map.get(userId);
  }

  set(userId: string, l: FoldInList): void {
    this.delete(userId);
    if (this.bounds.maxEntries <= 0 || this.bounds.maxBytes <= 0) return this.remember(userId);
    this.map.set(userId, l);
    this.bytesHeld += entryBytes(userId, l);
    while (this.map.size > this.bounds.maxEntries || this.bytesHeld > this.bounds.maxBytes) {
      const [oldest, list] = this.map.shift()!;
      this.bytesHeld -= entryBytes(oldest, list);
      this.evictions++;
      this.remember(oldest);
    }
  }

  delete(userId: string): boolean {
    const l = this.map.peek(userId);
    if (!l) return false;
    this.map.delete(userId);
    this.bytesHeld -= entryBytes(userId, l);
    return true;
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
