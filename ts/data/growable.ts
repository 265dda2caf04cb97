// Owns the small growable typed-array helpers used by builders (no object per element).

export type NumericArray = Uint8Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** A copy of `arr` with capacity `cap` (contents up to `used` kept). */
export function resized<T extends NumericArray>(arr: T, cap: number, used: number): T {
  const Ctor = arr.constructor as new (n: number) => T;
  const next = new Ctor(cap);
  next.set(arr.subarray(0, used));
  return next;
}

/**
 * Final array of length `used`: a view if at most a quarter is spare capacity (never-touched
 * pages of a large zeroed allocation are not resident, so a view costs address space rather than
 * RAM, and avoids a copy that would briefly double memory), else a trimmed copy.
 */
export function trimmed<T extends NumericArray>(arr: T, used: number): T {
  if (arr.length - used <= used >>> 2) return arr.subarray(0, used) as T;
  return arr.slice(0, used) as T;
}

/** Growth policy: 1.5x, at least `min`. */
export function nextCapacity(current: number, min: number): number {
  return Math.max(min, Math.ceil(current * 1.5), 1024);
}

/** Append-only Uint32Array (row-index lists and the like). */
export class GrowableUint32 {
  private buf: Uint32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint32Array(capacity);
  }

  push(v: number): void {
    if (this.length === this.buf.length) {
      this.buf = resized(this.buf, nextCapacity(this.buf.length, this.length + 1), this.length);
    }
    this.buf[this.length++] = v;
  }

  /** The contents; the builder must not be used afterwards. */
  finish(): Uint32Array {
    return trimmed(this.buf, this.length);
  }
}
