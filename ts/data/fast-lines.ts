// Owns the optimistic fast path for plain numeric delimited lines ("196\t242\t3\t881250949"):
// one pass that splits and parses together, straight into the DatasetBuilder. Any line it does
// not fully recognise (header, blank, quotes, spaces, signs, exponents, non-numeric or
// non-canonical ids such as "007", more than 15 digits, wrong field count) is handed unchanged to
// the general RecordScanner + handler, so results and errors are identical; this only skips work.

import type { ResolvedColumns } from './columns.js';
import type { DatasetBuilder } from './dataset.js';
import type { RecordHandler, RecordScanner, Scanner } from './scanner.js';

const MAX_FIELDS = 16;
const LF = 10;
const CR = 13;
const DOT = 46;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
const FALLBACK = -1;
const INCOMPLETE = -2;

export class FastNumericScanner implements Scanner {
  private nf = 0; // 0 until the columns are known
  private disabled = false;
  private cu = 0;
  private ci = 0;
  private cr = -1;
  private ct = -1;
  private readonly vals = new Float64Array(MAX_FIELDS);
  private readonly plain = new Uint8Array(MAX_FIELDS); // 1: canonical integer (id fast path allowed)

  constructor(
    private readonly generic: RecordScanner,
    private readonly delim: number,
    private readonly builder: DatasetBuilder,
    private readonly columns: () => ResolvedColumns | null,
    private readonly implicitRating: number,
  ) {}

  scan(buf: Uint8Array, start: number, end: number, eof: boolean, onRecord: RecordHandler): number {
    let p = start;
    while (p < end) {
      if (this.disabled) return this.generic.scan(buf, p, end, eof, onRecord);
      const q = this.nf === 0 ? FALLBACK : this.line(buf, p, end, eof);
      if (q >= 0) {
        p = q;
        this.generic.line++;
        continue;
      }
      if (q === INCOMPLETE) return p;
      const r = this.generic.scan(buf, p, end, eof, onRecord, 1);
      if (r === p) return p; // incomplete for the general scanner too
      p = r;
      if (this.nf === 0) this.setup();
    }
    return p;
  }

  private setup(): void {
    const cols = this.columns();
    if (cols === null) return; // still before the first data line (e.g. blank lines)
    if (cols.fieldCount > MAX_FIELDS) {
      this.disabled = true;
      return;
    }
    ({ fieldCount: this.nf, user: this.cu, item: this.ci, rating: this.cr, timestamp: this.ct } = cols);
  }

  /** Parses and stores one line starting at p; the position after it, or FALLBACK / INCOMPLETE. */
  private line(buf: Uint8Array, p: number, end: number, eof: boolean): number {
    const d = this.delim;
    const vals = this.vals;
    const plain = this.plain;
    const nf = this.nf;
    let f = 0;
    for (;;) {
      const fs = p;
      let v = 0;
      let digits = 0;
      let frac = -1;
      while (p < end) {
        const c = buf[p]!;
        const dg = c - 48;
        if (dg >= 0 && dg <= 9) {
          v = v * 10 + dg;
          digits++;
          if (frac >= 0) frac++;
        } else if (c === DOT && frac < 0) {
          frac = 0;
        } else {
          break;
        }
        p++;
      }
      if (digits === 0 || digits > 15 || f === nf) return p >= end && !eof ? INCOMPLETE : FALLBACK;
      vals[f] = frac > 0 ? v / POW10[frac]! : v;
      plain[f] = frac < 0 && (digits === 1 || buf[fs] !== 48) ? 1 : 0;
      f++;
      if (p >= end) {
        if (!eof) return INCOMPLETE;
        break;
      }
      const c = buf[p++];
      if (c === d) continue;
      if (c === LF) break;
      if (c === CR) {
        if (p >= end) return eof ? FALLBACK : INCOMPLETE;
        if (buf[p] === LF) {
          p++;
          break;
        }
      }
      return FALLBACK;
    }
    if (f !== nf || plain[this.cu] === 0 || plain[this.ci] === 0) return FALLBACK;
    const b = this.builder;
    b.push(b.userMap.internNumber(vals[this.cu]!), b.itemMap.internNumber(vals[this.ci]!), this.cr >= 0 ? vals[this.cr]! : this.implicitRating, this.ct >= 0 ? vals[this.ct]! : NaN);
    return p;
  }
}
