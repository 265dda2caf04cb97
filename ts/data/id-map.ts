// Owns IdMap: the growing two-way mapping between original id strings and dense indices 0..n-1.
//
// Ids that are canonical non-negative decimal integers ("0", "42", but not "007" or "+1") take a
// fast path keyed by number (a flat table for small values, a Map beyond), so parsers can map
// numeric ids without creating a string per row. Both paths agree: intern("42") === internNumber(42).

const DENSE_LIMIT = 1 << 22; // numeric ids below this use the flat table (grows on demand)
const MAX_CANONICAL_DIGITS = 15; // < 2^53, exact as a JS number

export class IdMap {
  /** index → original id string. Grows as ids are interned; never reorder it. */
  readonly ids: string[] = [];
  private dense = new Int32Array(0); // numeric id → index + 1 (0 = absent)
  private sparse = new Map<number, number>(); // numeric ids ≥ DENSE_LIMIT
  private strings = new Map<string, number>(); // everything else

  static from(ids: Iterable<string>): IdMap {
    const map = new IdMap();
    for (const id of ids) {
      if (map.get(id) !== undefined) throw new Error(`IdMap.from: duplicate id ${JSON.stringify(id)}`);
      map.intern(id);
    }
    return map;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Index of `id`, adding it if new. */
  intern(id: string): number {
    const n = canonicalUint(id);
    if (n >= 0) return this.internNumber(n);
    let idx = this.strings.get(id);
    if (idx === undefined) {
      idx = this.ids.length;
      this.ids.push(id);
      this.strings.set(id, idx);
    }
    return idx;
  }

  /** Index of the id whose string form is String(n); n must be a non-negative safe integer. */
  internNumber(n: number): number {
    if (n < DENSE_LIMIT) {
      if (n >= this.dense.length) this.growDense(n);
      const v = this.dense[n]!;
      if (v !== 0) return v - 1;
      const idx = this.ids.length;
      this.ids.push(String(n));
      this.dense[n] = idx + 1;
      return idx;
    }
    let idx = this.sparse.get(n);
    if (idx === undefined) {
      idx = this.ids.length;
      this.ids.push(String(n));
      this.sparse.set(n, idx);
    }
    return idx;
  }

  /** Index of `id`, or undefined if it was never interned. */
  get(id: string): number | undefined {
    const n = canonicalUint(id);
    if (n < 0) return this.strings.get(id);
    if (n < DENSE_LIMIT) {
      const v = n < this.dense.length ? this.dense[n]! : 0;
      return v === 0 ? undefined : v - 1;
    }
    return this.sparse.get(n);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Original id string of a dense index. */
  idOf(index: number): string {
    const id = this.ids[index];
    if (id === undefined) throw new RangeError(`IdMap: no id at index ${index} (size ${this.size})`);
    return id;
  }

  private growDense(n: number): void {
    let cap = Math.max(1024, this.dense.length);
    while (cap <= n) cap *= 2;
    const next = new Int32Array(Math.min(cap, DENSE_LIMIT));
    next.set(this.dense);
    this.dense = next;
  }
}

/** Value of a canonical non-negative decimal integer string, or -1. */
export function canonicalUint(s: string): number {
  const len = s.length;
  if (len === 0 || len > MAX_CANONICAL_DIGITS) return -1;
  if (len > 1 && s.charCodeAt(0) === 48) return -1;
  let v = 0;
  for (let i = 0; i < len; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
