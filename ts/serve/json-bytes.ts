// Owns writing a JSON response body straight into bytes: pre-encoded fragments are copied in,
// numbers are written digit by digit, and the result is a Buffer that uWebSockets.js sends as is.
// Building a string instead costs more than the rest of a request in V8: the concatenated rope
// must be flattened and then measured and encoded to UTF-8 on every send.
// Bodies are written into a shared arena, one after another (as Node's Buffer pool does, but the
// finished body is the only view made: one allocation a body instead of two); a full arena is
// left to the garbage collector once the bodies in it are gone, never written again. Arenas are not
// zeroed (nothing is sent but the bytes written: done() returns exactly those).

const ARENA_BYTES = 64 * 1024;
let arena: Uint8Array = Buffer.allocUnsafeSlow(ARENA_BYTES);
let arenaUsed = 0;

export class JsonBytes {
  private readonly buf: Uint8Array;
  private readonly start: number;
  private readonly end: number;
  private o: number;

  /** `capacity` must bound what will be written. */
  constructor(capacity: number) {
    if (capacity > ARENA_BYTES / 4) {
      this.buf = Buffer.allocUnsafeSlow(capacity);
    } else {
      if (arenaUsed + capacity > ARENA_BYTES) {
        arena = Buffer.allocUnsafeSlow(ARENA_BYTES);
        arenaUsed = 0;
      }
      this.buf = arena;
    }
    this.start = this.buf === arena ? arenaUsed : 0;
    this.end = this.start + capacity;
    this.o = this.start;
    if (this.buf === arena) arenaUsed = this.end;
  }

  /** Pre-encoded bytes. */
  raw(b: Uint8Array): this {
    this.buf.set(b, this.o);
    this.o += b.length;
    return this;
  }

  /** One ASCII character, e.g. ',' or '}'. */
  char(code: number): this {
    this.buf[this.o++] = code;
    return this;
  }

  /** `s` as a JSON string literal (quoted, escaped, UTF-8). Upper bound: 6 bytes per character + 2. */
  string(s: string): this {
    const n = s.length;
    let plain = true;
    for (let i = 0; i < n && plain; i++) {
      const c = s.charCodeAt(i);
      plain = c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c;
    }
    if (!plain) {
      this.o += Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength).write(JSON.stringify(s), this.o, 'utf8');
      return this;
    }
    const { buf } = this;
    let o = this.o;
    buf[o++] = 0x22;
    for (let i = 0; i < n; i++) buf[o++] = s.charCodeAt(i);
    buf[o++] = 0x22;
    this.o = o;
    return this;
  }

  /** A non-negative integer. At most 16 bytes. */
  uint(v: number): this {
    const { buf } = this;
    const start = this.o;
    let o = start;
    let n = v;
    do {
      const q = Math.floor(n / 10);
      buf[o++] = 48 + (n - q * 10);
      n = q;
    } while (n > 0);
    for (let a = start, b = o - 1; a < b; a++, b--) {
      const t = buf[a]!;
      buf[a] = buf[b]!;
      buf[b] = t;
    }
    this.o = o;
    return this;
  }

  /**
   * `v` rounded to 6 decimals, exactly as String(Math.round(v * 1e6) / 1e6) prints it for the
   * scores served (|v| < 10^9; non-finite values as 0). At most 24 bytes. The fraction is written
   * with small-integer arithmetic, right to left, trailing zeros dropped first (ten scores a
   * response made this a hot spot when each digit took a float division).
   */
  score(v: number): this {
    if (!Number.isFinite(v)) return this.char(48);
    let i = Math.round(v * 1e6);
    if (i < 0) {
      this.char(45);
      i = -i;
    }
    const whole = Math.floor(i / 1e6);
    let frac = (i - whole * 1e6) | 0;
    if (whole < 10) this.buf[this.o++] = 48 + whole;
    else this.uint(whole);
    if (frac === 0) return this;
    let len = 6;
    while (frac % 10 === 0) {
      frac = (frac / 10) | 0;
      len--;
    }
    const { buf } = this;
    const dot = this.o;
    buf[dot] = 46;
    for (let p = dot + len; p > dot; p--) {
      const q = (frac / 10) | 0;
      buf[p] = 48 + frac - q * 10;
      frac = q;
    }
    this.o = dot + len + 1;
    return this;
  }

  /** The bytes written (a view; the writer must not be used afterwards). */
  done(): Buffer {
    const { buf, start, end, o } = this;
    // past the capacity, stores may have been dropped (the arena's end) or gone where the next
    // body will be written: never send what could be cut-off JSON
    if (o > end) throw new Error(`JsonBytes: wrote ${o - start} bytes, more than the capacity of ${end - start}`);
    // the last reservation gives back what it did not use
    if (buf === arena && arenaUsed === end) arenaUsed = (o + 7) & ~7;
    return Buffer.from(buf.buffer, buf.byteOffset + start, o - start);
  }
}

/** Bytes of an ASCII/UTF-8 literal, encoded once. */
export const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
