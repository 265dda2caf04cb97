// Owns a slab allocator of 32-bit words for records that live long and die in great numbers (the
// fold-in lists: ../serve/foldin-overlay.ts). A record gets a slot in a 256 KiB chunk of its size
// class (powers of two from 32 words); a freed slot is reused by the next record of its class, and
// a chunk whose slots are all free is released when its class has another chunk with room, so the
// memory held follows the records held. A record larger than a chunk gets an array of its own,
// released when it is freed.
//
// Why: a record kept as its own typed array is two heap objects (the array and its buffer) that
// outlive V8's young generation, are copied into the old one, and become old garbage when evicted;
// at thousands of records a second, that copying and the mark-compacts it brings were the request
// thread's longest pauses. A slot is a number: nothing to copy, nothing to collect.

/** Words per chunk: 256 KiB. */
const CHUNK_WORDS = 1 << 16;
/** The smallest slot, words (128 bytes). */
const MIN_SLOT_WORDS = 32;
/** Slots per chunk at most (CHUNK_WORDS / MIN_SLOT_WORDS): a handle is chunk id × SLOTS + slot. */
const SLOTS = CHUNK_WORDS / MIN_SLOT_WORDS;
/** The size class of records larger than a chunk (one array each). */
const SOLO = -1;
const NONE = -1;

export class Slab {
  /** Per chunk id: its words (undefined: released, its id free for reuse). */
  private readonly chunks: (Uint32Array | undefined)[] = [];
  private readonly chunkClass: number[] = [];
  /** Per chunk: slots in use, head of its free slots (each free slot's first word links the next), slots never used start here, its place in its class's `partial` list (NONE: full). */
  private readonly used: number[] = [];
  private readonly freeHead: number[] = [];
  private readonly bump: number[] = [];
  private readonly place: number[] = [];
  /** Per size class: ids of its chunks with a free slot. */
  private readonly partial: number[][] = [];
  private readonly freeIds: number[] = [];
  private reserved = 0;

  /** Bytes of the chunks and large records held (free slots included). */
  get reservedBytes(): number {
    return this.reserved;
  }

  /** Words of the slot a record of `words` words gets. */
  static slotWords(words: number): number {
    if (words > CHUNK_WORDS) return words;
    let w = MIN_SLOT_WORDS;
    while (w < words) w *= 2;
    return w;
  }

  /** A slot of at least `words` words (its contents are whatever was there). */
  alloc(words: number): number {
    if (!(Number.isInteger(words) && words > 0)) throw new RangeError(`slab: a record of ${words} words`);
    if (words > CHUNK_WORDS) return this.newChunk(SOLO, words) * SLOTS;
    const cls = Math.log2(Slab.slotWords(words) / MIN_SLOT_WORDS);
    const list = (this.partial[cls] ??= []);
    const id = list.length > 0 ? list[list.length - 1]! : this.newChunk(cls, CHUNK_WORDS);
    if (list.length === 0) this.addPartial(cls, id);
    const size = MIN_SLOT_WORDS << cls;
    let slot = this.freeHead[id]!;
    if (slot !== NONE) this.freeHead[id] = this.chunks[id]![slot * size]! | 0;
    else slot = this.bump[id]!++;
    if (++this.used[id]! === CHUNK_WORDS / size) this.removePartial(cls, id);
    return id * SLOTS + slot;
  }

  free(handle: number): void {
    const id = Math.floor(handle / SLOTS);
    const slot = handle % SLOTS;
    const cls = this.chunkClass[id]!;
    if (cls === SOLO) return this.release(id);
    const size = MIN_SLOT_WORDS << cls;
    this.chunks[id]![slot * size] = this.freeHead[id]!;
    this.freeHead[id] = slot;
    this.used[id]!--;
    if (this.place[id] === NONE) this.addPartial(cls, id); // it was full
    if (this.used[id] === 0 && this.partial[cls]!.length > 1) {
      this.removePartial(cls, id);
      this.release(id);
    }
  }

  /** The words of the chunk that holds the record (the record starts at `at(handle)`). */
  words(handle: number): Uint32Array {
    return this.chunks[Math.floor(handle / SLOTS)]!;
  }

  /** Where the record starts in `words(handle)`. */
  at(handle: number): number {
    const cls = this.chunkClass[Math.floor(handle / SLOTS)]!;
    return cls === SOLO ? 0 : (handle % SLOTS) * (MIN_SLOT_WORDS << cls);
  }

  private newChunk(cls: number, words: number): number {
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.chunks.length;
    this.chunks[id] = new Uint32Array(words);
    this.chunkClass[id] = cls;
    this.used[id] = cls === SOLO ? 1 : 0;
    this.freeHead[id] = NONE;
    this.bump[id] = 0;
    this.place[id] = NONE;
    this.reserved += 4 * words;
    return id;
  }

  private release(id: number): void {
    this.reserved -= 4 * this.chunks[id]!.length;
    this.chunks[id] = undefined;
    this.freeIds.push(id);
  }

  private addPartial(cls: number, id: number): void {
    const list = (this.partial[cls] ??= []);
    this.place[id] = list.length;
    list.push(id);
  }

  /** Swap-removes the chunk from its class's partial list. */
  private removePartial(cls: number, id: number): void {
    const list = this.partial[cls]!;
    const at = this.place[id]!;
    const last = list.pop()!;
    if (last !== id) {
      list[at] = last;
      this.place[last] = at;
    }
    this.place[id] = NONE;
  }
}
