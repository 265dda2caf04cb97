// Owns an open-addressing hash index from a key (a string or a number) to a slot number, for a
// structure that keeps its keys in an array by slot (./lru.ts). Linear probing over two Int32Arrays
// (slots and hashes), deletion by backward shift (no tombstones), doubling at half full and never
// shrinking: lookups, inserts and deletes allocate nothing but the occasional doubling.
//
// Why not a Map: once keys come and go, V8 rebuilds a Map's table (a new allocation) every time
// its deleted entries fill it, about once per `capacity` inserts. A bounded cache's table is then
// replaced every few seconds under ingestion, outlives the young generation first and becomes
// old-generation garbage: the request thread's mark-compacts. Here the table never moves.

export type Key = string | number;

const EMPTY = -1;

/** 32-bit hash of a key: an integer by its value, anything else by its characters (FNV-1a), finished by a mixer. */
export function hashKey(k: Key): number {
  let h: number;
  if (typeof k === 'number' && Number.isInteger(k) && Math.abs(k) <= 0xffffffff) h = k | 0;
  else {
    const s = typeof k === 'number' ? String(k) : k;
    h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class KeyIndex<K extends Key> {
  private slots = new Int32Array(16).fill(EMPTY);
  private hashes = new Int32Array(16);
  private mask = 15;
  private count = 0;

  /** `keys`: the owner's keys by slot; a key must be at keys[slot] while it is in the index. */
  constructor(private readonly keys: readonly (K | undefined)[]) {}

  get size(): number {
    return this.count;
  }

  /** The key's slot, or -1. */
  find(key: K): number {
    const h = hashKey(key);
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const s = this.slots[i]!;
      if (s === EMPTY) return EMPTY;
      if (this.hashes[i] === h && this.keys[s] === key) return s;
    }
  }

  /** Adds an absent key, already at keys[slot]. */
  add(key: K, slot: number): void {
    if (2 * (this.count + 1) > this.slots.length) this.grow();
    this.place(hashKey(key), slot);
    this.count++;
  }

  /** Removes the key (false when absent); it must still be at its slot in `keys`. */
  remove(key: K): boolean {
    const h = hashKey(key);
    const mask = this.mask;
    let i = h & mask;
    for (; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === EMPTY) return false;
      if (this.hashes[i] === h && this.keys[s] === key) break;
    }
    // backward shift: each later entry of the run moves into the hole unless its home lies cyclically in (hole, its place]
    for (let j = (i + 1) & mask; this.slots[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.hashes[j]! & mask;
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (stays) continue;
      this.slots[i] = this.slots[j]!;
      this.hashes[i] = this.hashes[j]!;
      i = j;
    }
    this.slots[i] = EMPTY;
    this.count--;
    return true;
  }

  private place(h: number, slot: number): void {
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      if (this.slots[i] === EMPTY) {
        this.slots[i] = slot;
        this.hashes[i] = h;
        return;
      }
    }
  }

  private grow(): void {
    const [slots, hashes] = [this.slots, this.hashes];
    this.slots = new Int32Array(2 * slots.length).fill(EMPTY);
    this.hashes = new Int32Array(2 * slots.length);
    this.mask = this.slots.length - 1;
    for (let i = 0; i < slots.length; i++) if (slots[i] !== EMPTY) this.place(hashes[i]!, slots[i]!);
  }
}
