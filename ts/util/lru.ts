// Owns a map that keeps its keys in use order with every operation O(1): the bounded caches'
// and queues' building block (fold-in lists, store read-through cache, pending seen items).
//
// Why not a plain Map in insertion order, evicting `map.keys().next()`? V8 leaves a deleted
// entry in the Map's table until the table is rebuilt, and iteration starts at the table's
// front, so once a bounded Map is full every eviction walks past all the entries evicted since
// the last rebuild: measured at 11–64 µs per eviction at 100,000 entries (a full overlay at 5,000
// fold-ins/s spent a fifth of the request thread on it). Here the order is a doubly linked list
// over slot arrays and the Map only maps a key to its slot; it is never iterated.

import { KeyIndex, type Key } from './key-index.js';

const NONE = -1;

export class Lru<K extends Key, V> {
  private readonly keys: (K | undefined)[] = [];
  private readonly slotOf = new KeyIndex<K>(this.keys);
  private readonly values: (V | undefined)[] = [];
  /** Per slot, the next older and next newer slot (NONE at the ends; free slots chain through `older`). */
  private older = new Int32Array(16);
  private newer = new Int32Array(16);
  private oldestSlot = NONE;
  private newestSlot = NONE;
  private freeSlot = NONE;

  get size(): number {
    return this.slotOf.size;
  }

  has(key: K): boolean {
    return this.slotOf.find(key) !== NONE;
  }

  /** The value, leaving the order as it is. */
  peek(key: K): V | undefined {
    const s = this.slotOf.find(key);
    return s === NONE ? undefined : this.values[s];
  }

  /** The value, its key now the newest. */
  get(key: K): V | undefined {
    const s = this.slotOf.find(key);
    if (s === NONE) return undefined;
    this.toNewest(s);
    return this.values[s];
  }

  /** Makes the key the newest (false when absent). */
  touch(key: K): boolean {
    const s = this.slotOf.find(key);
    if (s === NONE) return false;
    this.toNewest(s);
    return true;
  }

  /** Sets the value; the key becomes the newest (a new key, or an existing one moved). */
  set(key: K, value: V): void {
    let s = this.slotOf.find(key);
    if (s !== NONE) {
      this.values[s] = value;
      this.toNewest(s);
      return;
    }
    s = this.allocate();
    this.keys[s] = key;
    this.values[s] = value;
    this.slotOf.add(key, s);
    this.link(s);
  }

  /** Sets the value, leaving an existing key where it is in the order (a new key becomes the newest). */
  replace(key: K, value: V): void {
    const s = this.slotOf.find(key);
    if (s === NONE) return this.set(key, value);
    this.values[s] = value;
  }

  delete(key: K): boolean {
    const s = this.slotOf.find(key);
    if (s === NONE) return false;
    this.remove(s);
    return true;
  }

  /** The oldest key and its value, left in place. */
  oldest(): [K, V] | undefined {
    const s = this.oldestSlot;
    return s === NONE ? undefined : [this.keys[s] as K, this.values[s] as V];
  }

  /** Removes and returns the oldest key and its value. */
  shift(): [K, V] | undefined {
    const s = this.oldestSlot;
    if (s === NONE) return undefined;
    const out: [K, V] = [this.keys[s] as K, this.values[s] as V];
    this.remove(s);
    return out;
  }

  /** Oldest first. The order must not change while iterating (collect, then change). */
  *entries(): Generator<[K, V]> {
    for (let s = this.oldestSlot; s !== NONE; s = this.newer[s]!) yield [this.keys[s] as K, this.values[s] as V];
  }

  private allocate(): number {
    if (this.freeSlot !== NONE) {
      const s = this.freeSlot;
      this.freeSlot = this.older[s]!;
      return s;
    }
    const s = this.keys.length;
    if (s === this.older.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(2 * a.length);
        b.set(a);
        return b;
      };
      this.older = grow(this.older);
      this.newer = grow(this.newer);
    }
    this.keys.push(undefined);
    this.values.push(undefined);
    return s;
  }

  /** Appends slot s as the newest. */
  private link(s: number): void {
    this.older[s] = this.newestSlot;
    this.newer[s] = NONE;
    if (this.newestSlot !== NONE) this.newer[this.newestSlot] = s;
    else this.oldestSlot = s;
    this.newestSlot = s;
  }

  private unlink(s: number): void {
    const [o, n] = [this.older[s]!, this.newer[s]!];
    if (o !== NONE) this.newer[o] = n;
    else this.oldestSlot = n;
    if (n !== NONE) this.older[n] = o;
    else this.newestSlot = o;
  }

  private toNewest(s: number): void {
    if (s === this.newestSlot) return;
    this.unlink(s);
    this.link(s);
  }

  private remove(s: number): void {
    this.unlink(s);
    this.slotOf.remove(this.keys[s] as K);
    this.keys[s] = undefined;
    this.values[s] = undefined;
    this.older[s] = this.freeSlot;
    this.freeSlot = s;
  }
}
