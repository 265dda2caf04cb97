// Owns writing a JSON response body straight into bytes: pre-encoded fragments are copied in,
// numbers are written digit by digit, and the result is a Buffer that uWebSockets.js sends as is.
// Building a string instead costs more than the rest of a request in V8: the concatenated rope
// must be flattened and then measured and encoded to UTF-8 on every send.

export class JsonBytes {
  private readonly buf: Buffer;
  private o = 0;

  /** `capacity` must bound what will be written (Buffers of < 4 KiB come from Node's pool). */
  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
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
      this.o += this.buf.write(JSON.stringify(s), this.o, 'utf8');
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
   * scores served (|v| < 10^9; non-finite values as 0). At most 24 bytes.
   */
  score(v: number): this {
    if (!Number.isFinite(v)) return this.char(48);
    let i = Math.round(v * 1e6);
    if (i < 0) {
      this.char(45);
      i = -i;
    }
    let whole = Math.floor(i / 1e6);
    let frac = i - whole * 1e6;
    if (frac < 0) {
      whole--;
      frac += 1e6;
    }
    this.uint(whole);
    if (frac > 0) {
      const { buf } = this;
      let o = this.o;
      buf[o++] = 46;
      for (let d = 100000; frac > 0; d /= 10) {
        const q = Math.floor(frac / d);
        buf[o++] = 48 + q;
        frac -= q * d;
      }
      this.o = o;
    }
    return this;
  }

  /** The bytes written (a view; the writer must not be used afterwards). */
  done(): Buffer {
    // byte stores past the end are dropped silently: never send what would be cut-off JSON
    if (this.o > this.buf.length) throw new Error(`JsonBytes: wrote ${this.o} bytes into ${this.buf.length}`);
    return this.buf.subarray(0, this.o);
  }
}

/** Bytes of an ASCII/UTF-8 literal, encoded once. */
export const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
