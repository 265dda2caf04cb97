// Owns the id → row index of the embedded store (users) and the catalog (items): an
// open-addressing hash table over typed arrays, with the ids themselves as one UTF-8 blob plus
// offsets. Unlike a Map of a million strings it is built off the main thread (the model loader's
// worker), crosses to the main thread by transferring its buffers (no copy, no rebuild, no GC
// pause while requests are served), and takes a fraction of the memory. Lookup is O(1): FNV-1a
// over the id's UTF-8 bytes, linear probing, byte comparison; no allocation for ASCII ids.
// A slot is 16 bytes (row + 1, hash, start and length of the id's bytes), so a lookup touches
// one cache line of the table and then the id's bytes: two memory reads for a known id where
// row-only slots take three (slot, offsets, bytes), and one for most unknown ids (the hash
// differs). With a million users the table is far larger than the caches, so those reads are
// most of a lookup's time.

/** The transferable form of an index. */
export interface IdIndexData {
  /** UTF-8 bytes of every id, concatenated in row order. */
  bytes: Uint8Array;
  /** Row r's id is bytes[offsets[r] .. offsets[r + 1]). Length rows + 1. */
  offsets: Uint32Array;
  /**
   * Hash slots, SLOT_WORDS words each (a power-of-two count of slots): row + 1 (0 when empty),
   * the id's hash, and its bytes' start and length in `bytes`.
   */
  slots: Uint32Array;
}

/** Words per slot: row + 1, hash, start, length. */
export const SLOT_WORDS = 4;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Builds the index; throws on a duplicate id (an artifact must not map one id to two rows). */
export function buildIdIndex(ids: readonly string[], what = 'id'): IdIndexData {
  const n = ids.length;
  const offsets = new Uint32Array(n + 1);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += Buffer.byteLength(ids[r]!, 'utf8');
    offsets[r + 1] = total;
  }
  const bytes = Buffer.allocUnsafeSlow(total);
  for (let r = 0; r < n; r++) bytes.write(ids[r]!, offsets[r]!, 'utf8');
  let size = 8;
  while (size < n * 2) size *= 2;
  const slots = new Uint32Array(size * SLOT_WORDS);
  const mask = size - 1;
  for (let r = 0; r < n; r++) {
    const start = offsets[r]!;
    const end = offsets[r + 1]!;
    const h = hashBytes(bytes, start, end);
    let s = h & mask;
    for (;;) {
      const at = s * SLOT_WORDS;
      const v = slots[at]!;
      if (v === 0) {
        slots[at] = r + 1;
        slots[at + 1] = h;
        slots[at + 2] = start;
        slots[at + 3] = end - start;
        break;
      }
      if (slots[at + 1] === h && sameBytes(bytes, offsets[v - 1]!, offsets[v]!, start, end)) throw new Error(`duplicate ${what} "${ids[r]}" (rows ${v - 1} and ${r})`);
      s = (s + 1) & mask;
    }
  }
  return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), offsets, slots };
}

/** Read-only lookups over an IdIndexData. */
export class IdIndex {
  readonly size: number;
  private readonly bytes: Buffer;
  private readonly offsets: Uint32Array;
  private readonly slots: Uint32Array;
  private readonly mask: number;

  constructor(data: IdIndexData) {
    this.bytes = Buffer.from(data.bytes.buffer, data.bytes.byteOffset, data.bytes.byteLength);
    this.offsets = data.offsets;
    this.slots = data.slots;
    this.size = data.offsets.length - 1;
    this.mask = data.slots.length / SLOT_WORDS - 1;
  }

  static of(ids: readonly string[], what?: string): IdIndex {
    return new IdIndex(buildIdIndex(ids, what));
  }

  /** The row of `id`, or -1. */
  rowOf(id: string): number {
    const n = id.length;
    let h = FNV_OFFSET;
    for (let i = 0; i < n; i++) {
      const c = id.charCodeAt(i);
      if (c >= 0x80) return this.rowOfBytes(Buffer.from(id, 'utf8'));
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    h >>>= 0;
    const { bytes, slots, mask } = this;
    let s = h & mask;
    for (;;) {
      const at = s * SLOT_WORDS;
      const v = slots[at]!;
      if (v === 0) return -1;
      if (slots[at + 1] === h && slots[at + 3] === n) {
        const start = slots[at + 2]!;
        let i = 0;
        while (i < n && bytes[start + i] === id.charCodeAt(i)) i++;
        if (i === n) return v - 1;
      }
      s = (s + 1) & mask;
    }
  }

  /** The id at `row` (a new string each call). */
  idAt(row: number): string {
    return this.bytes.toString('utf8', this.offsets[row]!, this.offsets[row + 1]!);
  }

  private rowOfBytes(key: Buffer): number {
    const { bytes, slots, mask } = this;
    const h = hashBytes(key, 0, key.length);
    let s = h & mask;
    for (;;) {
      const at = s * SLOT_WORDS;
      const v = slots[at]!;
      if (v === 0) return -1;
      const start = slots[at + 2]!;
      if (slots[at + 1] === h && sameBytes(bytes, start, start + slots[at + 3]!, 0, key.length, key)) return v - 1;
      s = (s + 1) & mask;
    }
  }
}

function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, FNV_PRIME);
  return h >>> 0;
}

/** a[aStart..aEnd) equals (b ?? a)[bStart..bEnd). */
function sameBytes(a: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number, b: Uint8Array = a): boolean {
  const n = aEnd - aStart;
  if (n !== bEnd - bStart) return false;
  for (let i = 0; i < n; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}
