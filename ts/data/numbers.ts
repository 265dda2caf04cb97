// Owns number and text decoding straight from byte spans (no intermediate strings on the fast path).

const SPACE = 32;
const TAB = 9;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** First non-blank offset in [s, e). */
export function trimStart(buf: Uint8Array, s: number, e: number): number {
  while (s < e && (buf[s] === SPACE || buf[s] === TAB)) s++;
  return s;
}

/** End after dropping trailing blanks from [s, e). */
export function trimEnd(buf: Uint8Array, s: number, e: number): number {
  while (e > s && (buf[e - 1] === SPACE || buf[e - 1] === TAB)) e--;
  return e;
}

/**
 * A decimal number like "4", "-3.5", "1.5e3" in buf[s, e) (already trimmed), or NaN.
 * Plain decimals with up to 15 significant digits are computed exactly as mantissa / 10^k
 * (correctly rounded, same as Number()); anything else falls back to Number(text).
 */
export function parseNumber(buf: Uint8Array, s: number, e: number): number {
  if (s >= e) return NaN;
  let p = s;
  let neg = false;
  const c0 = buf[p]!;
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    p++;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let seenDot = false;
  for (; p < e; p++) {
    const c = buf[p]!;
    const dgt = c - 48;
    if (dgt >= 0 && dgt <= 9) {
      mant = mant * 10 + dgt;
      digits++;
      if (seenDot) frac++;
    } else if (c === 46 && !seenDot) {
      seenDot = true;
    } else {
      return slowNumber(buf, s, e);
    }
  }
  if (digits === 0) return NaN;
  if (digits > 15) return slowNumber(buf, s, e);
  const v = frac === 0 ? mant : mant / POW10[frac]!;
  return neg ? -v : v;
}

function slowNumber(buf: Uint8Array, s: number, e: number): number {
  const text = latin1(buf, s, e);
  // Number() accepts "", "0x1f", "Infinity"; only plain decimal / exponent forms are numbers here.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return NaN;
  return Number(text);
}

/** A canonical non-negative integer id ("0", "17", not "017", max 15 digits), or -1. */
export function canonicalUintBytes(buf: Uint8Array, s: number, e: number): number {
  const len = e - s;
  if (len <= 0 || len > 15) return -1;
  if (len > 1 && buf[s] === 48) return -1;
  let v = 0;
  for (let p = s; p < e; p++) {
    const d = buf[p]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

export function latin1(buf: Uint8Array, s: number, e: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1');
}

export type TextEncoding = 'utf8' | 'latin1';

/** Field text; `escaped` fields (quoted, with "" inside) are unescaped. */
export function fieldText(buf: Uint8Array, s: number, e: number, escaped: boolean, enc: TextEncoding): string {
  const text = Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString(enc);
  return escaped ? text.replaceAll('""', '"') : text;
}
