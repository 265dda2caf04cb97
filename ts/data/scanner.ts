// Owns the byte-level record scanner: splits delimited text into records and field spans
// (offsets into the caller's buffer, no strings), across chunk boundaries, with CSV quoting.

const LF = 10;
const CR = 13;
const QUOTE = 34;

export interface ScanConfig {
  /** Field separator bytes (1 or more); empty = no splitting, the whole line is one field. */
  delimiter: Uint8Array;
  /** RFC 4180 double quotes: "a, b" is one field, "" inside quotes is a quote, newlines allowed. */
  quotes: boolean;
}

/** The current record, reused for every record (copy out what you keep). */
export class RecordFields {
  /** Number of fields found (may exceed the stored capacity; see starts.length). */
  count = 0;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** 1 if the field was quoted and contains doubled quotes to unescape. */
  readonly escaped: Uint8Array;
  /** Raw record bytes, without the line terminator. */
  start = 0;
  end = 0;
  /** 1-based line number where the record starts. */
  line = 0;
  /** Structural problem (unterminated quote, text after a closing quote), else null. */
  error: string | null = null;

  constructor(capacity: number) {
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.escaped = new Uint8Array(capacity);
  }

  get blank(): boolean {
    return this.end === this.start && this.error === null;
  }
}

export type RecordHandler = (buf: Uint8Array, rec: RecordFields) => void;

/** Anything that turns buffered bytes into records (RecordScanner, or a fast path around it). */
export interface Scanner {
  scan(buf: Uint8Array, start: number, end: number, eof: boolean, onRecord: RecordHandler): number;
}

export class RecordScanner implements Scanner {
  /** Line number of the next record. */
  line = 1;
  private readonly delim: Uint8Array;
  private readonly quotes: boolean;
  private readonly rec: RecordFields;
  private atStart = true;

  constructor(cfg: ScanConfig, maxFields = 64) {
    this.delim = cfg.delimiter;
    this.quotes = cfg.quotes;
    this.rec = new RecordFields(maxFields);
  }

  /**
   * Calls onRecord for every complete record in buf[start, end) and returns the offset just past
   * the last one. With eof = false an incomplete trailing record is left for the next call
   * (the caller keeps buf[returned, end) and appends more bytes to it); with eof = true
   * everything is consumed. At most `maxRecords` records are handled per call.
   */
  scan(buf: Uint8Array, start: number, end: number, eof: boolean, onRecord: RecordHandler, maxRecords = Infinity): number {
    let p = start;
    if (this.atStart) {
      if (end - p < 3 && !eof) return p;
      if (buf[p] === 0xef && buf[p + 1] === 0xbb && buf[p + 2] === 0xbf) p += 3; // UTF-8 BOM
      this.atStart = false;
    }
    const rec = this.rec;
    const cap = rec.starts.length;
    const d = this.delim;
    const dlen = d.length;
    const d0 = dlen > 0 ? d[0]! : -1;
    const quotes = this.quotes;
    let handled = 0;

    while (p < end && handled < maxRecords) {
      const recStart = p;
      let lines = 0; // LFs consumed by this record
      let recEnd = -1; // end of record content (before terminator)
      let incomplete = false;
      rec.count = 0;
      rec.error = null;

      for (;;) {
        let fs: number;
        let fe: number;
        let esc = 0;
        if (quotes && p < end && buf[p] === QUOTE) {
          let q = p + 1;
          let closed = false;
          while (q < end) {
            const c = buf[q];
            if (c === QUOTE) {
              if (q + 1 < end) {
                if (buf[q + 1] === QUOTE) {
                  esc = 1;
                  q += 2;
                  continue;
                }
              } else if (!eof) {
                break; // cannot tell "" from a closing quote yet
              }
              closed = true;
              break;
            }
            if (c === LF) lines++;
            q++;
          }
          if (!closed) {
            if (!eof) {
              incomplete = true;
              break;
            }
            rec.error = 'unterminated quoted field';
            fs = p + 1;
            fe = end;
            p = end;
          } else {
            fs = p + 1;
            fe = q;
            p = q + 1;
          }
        } else {
          fs = p;
          if (dlen === 1) {
            while (p < end) {
              const c = buf[p];
              if (c === LF || c === d0) break;
              p++;
            }
          } else if (dlen === 0) {
            while (p < end && buf[p] !== LF) p++;
          } else {
            while (p < end) {
              const c = buf[p];
              if (c === LF) break;
              if (c === d0) {
                if (p + dlen > end && !eof) break; // maybe a delimiter split across chunks
                if (matchAt(buf, p, end, d)) break;
              }
              p++;
            }
          }
          fe = p;
          if (p < end && buf[p] === LF && fe > fs && buf[fe - 1] === CR) fe--;
        }

        if (rec.count < cap) {
          rec.starts[rec.count] = fs;
          rec.ends[rec.count] = fe;
          rec.escaped[rec.count] = esc;
        }
        rec.count++;

        if (p >= end) {
          if (!eof) incomplete = true;
          else recEnd = end;
          while (recEnd > recStart && (buf[recEnd - 1] === LF || buf[recEnd - 1] === CR)) recEnd--; // unterminated quote
          break;
        }
        const c = buf[p];
        if (c === LF) {
          recEnd = p > recStart && buf[p - 1] === CR ? p - 1 : p;
          p++;
          lines++;
          break;
        }
        if (c === d0 && dlen > 0) {
          if (p + dlen > end && !eof) {
            incomplete = true;
            break;
          }
          if (matchAt(buf, p, end, d)) {
            p += dlen;
            if (p >= end && !eof) {
              incomplete = true; // the next field starts in the next chunk
              break;
            }
            continue;
          }
        }
        if (c === CR) {
          // Only reachable after a closing quote (unquoted fields strip CR at the LF).
          if (p + 1 < end) {
            if (buf[p + 1] === LF) {
              recEnd = p;
              p += 2;
              lines++;
              break;
            }
          } else if (!eof) {
            incomplete = true;
            break;
          } else {
            recEnd = p;
            p++;
            break;
          }
        }
        // Text right after a closing quote: keep the line, flag it, resume at the next LF.
        rec.error = 'unexpected text after a closing quote';
        while (p < end && buf[p] !== LF) p++;
        if (p >= end && !eof) {
          incomplete = true;
          break;
        }
        recEnd = p;
        if (p < end) {
          p++;
          lines++;
        }
        break;
      }

      if (incomplete) return recStart;
      rec.start = recStart;
      rec.end = recEnd;
      rec.line = this.line;
      this.line += lines;
      handled++;
      onRecord(buf, rec);
    }
    return p;
  }
}

function matchAt(buf: Uint8Array, p: number, end: number, d: Uint8Array): boolean {
  if (p + d.length > end) return false;
  for (let k = 1; k < d.length; k++) if (buf[p + k] !== d[k]) return false;
  return true;
}
