// Owns the new items' vectors of one model packed in one matrix (slot × rank, Float32Array), so a
// request scores a user against every new item in one pass over contiguous memory: no per-item
// object, map or catalogue lookup, and the per-item checks (blocked, the user's own items) run only
// for the few items whose score enters the list. An item keeps its slot while it is updated; a
// removed item's slot is filled with the last one.

export class NewItemMatrix {
  /** Catalog row of each slot. */
  private rows = new Uint32Array(16);
  private vectors: Float32Array;
  private readonly slotOf = new Map<number, number>();
  count = 0;

  constructor(readonly rank: number) {
    this.vectors = new Float32Array(16 * rank);
  }

  /** Sets the vector of item row `row` (added when new). */
  set(row: number, vector: Float32Array): void {
    let slot = this.slotOf.get(row);
    if (slot === undefined) {
      if (this.count === this.rows.length) this.grow();
      slot = this.count++;
      this.slotOf.set(row, slot);
      this.rows[slot] = row;
    }
    this.vectors.set(vector.subarray(0, this.rank), slot * this.rank);
  }

  /** Forgets item row `row` (no vector any more). */
  remove(row: number): void {
    const slot = this.slotOf.get(row);
    if (slot === undefined) return;
    this.slotOf.delete(row);
    const last = --this.count;
    if (slot !== last) {
      const moved = this.rows[last]!;
      this.rows[slot] = moved;
      this.vectors.copyWithin(slot * this.rank, last * this.rank, (last + 1) * this.rank);
      this.slotOf.set(moved, slot);
    }
  }

  /** The vector of item row `row` (a view: valid until the next change), or null. */
  vectorOf(row: number): Float32Array | null {
    const slot = this.slotOf.get(row);
    return slot === undefined ? null : this.vectors.subarray(slot * this.rank, (slot + 1) * this.rank);
  }

  /** The (row, user · vector) of every item scoring above `threshold` that `ok` lets through, best first. */
  above(user: Float32Array, threshold: number, ok: (row: number) => boolean): [number, number][] {
    const { rank, vectors, rows } = this;
    const out: [number, number][] = [];
    for (let slot = 0, o = 0; slot < this.count; slot++, o += rank) {
      let s = 0;
      for (let j = 0; j < rank; j++) s += user[j]! * vectors[o + j]!;
      if (s > threshold && ok(rows[slot]!)) out.push([rows[slot]!, s]);
    }
    return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }

  private grow(): void {
    const rows = new Uint32Array(this.rows.length * 2);
    rows.set(this.rows);
    const vectors = new Float32Array(rows.length * this.rank);
    vectors.set(this.vectors);
    this.rows = rows;
    this.vectors = vectors;
  }
}
