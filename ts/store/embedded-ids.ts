// Owns the id → row index of the embedded store (users) and the catalog (items): an
// open-addressing hash table over typed arrays, with the ids themselves as one UTF-8 blob plus
// offsets. Unlike a Map of a million strings it is built off the main thread (the model loader's
// worker), crosses to the main thread by transferring its buffers (no copy, no rebuild, no GC
// pause while requests are served), and takes a fraction of the memory. Lookup is O(1): FNV-1a
// over the id's UTF-8 bytes, linear probing, byte comparison; no allocation for ASCII ids.

/** The transferable form of an index. */
export interface IdIndexData {
  /** UTF-8 bytes of every id, concatenated in row order. */
  bytes: Uint8Array;
  /** Row r's id is bytes[offsets[r] .. offsets[r + 1]). Length rows + 1. */
  offsets: Uint32Array;
  /** Hash slots (power-of-two length): row + 1, or 0 when empty. */
  slots: Uint32Array;
}

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
  const slots = new Uint32Array(size);
  const mask = size - 1;
  for (let r = 0; r < n; r++) {
    const start = offsets[r]!;
    const end = offsets[r + 1]!;
    let s = hashBytes(bytes, start, end) & mask;
    for (;;) {
      const v = slots[s]!;
      if (v === 0) {
        slots[s] = r + 1;
        break;
      }
      if (sameBytes(bytes, offsets[v - 1]!, offsets[v]!, start, end)) throw new Error(`duplicate ${what} "${ids[r]}" (rows ${v - 1} and ${r})`);
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
    this.mask = data.slots.length - 1;
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
    const { bytes, offsets, slots, mask } = this;
    let s = (h >>> 0) & mask;
    for (;;) {
      const v = slots[s]!;
      if (v === 0) return -1;
      const start = offsets[v - 1]!;
      if (offsets[v]! - start === n) {
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
    const { bytes, offsets, slots, mask } = this;
    let s = hashBytes(key, 0, key.length) & mask;
    for (;;) {
      const v = slots[s]!;
      if (v === 0) return -1;
      if (sameBytes(bytes, offsets[v - 1]!, offsets[v]!, 0, key.length, key)) return v - 1;
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
