// Owns reading one HTTP/1.1 response off a keep-alive connection, byte by byte and without making
// strings: the status, whether the server will close the connection, and when the response is
// complete (Content-Length bytes after the head, or a chunked body's last chunk). Reads may split a
// response anywhere; only the head is copied when it straddles reads, the body is only counted.

const LF = 10;
const CR = 13;
const lower = (b: number) => (b >= 65 && b <= 90 ? b + 32 : b);
const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const CONTENT_LENGTH = bytesOf('content-length');
const TRANSFER_ENCODING = bytesOf('transfer-encoding');
const CONNECTION = bytesOf('connection');
const CHUNKED = bytesOf('chunked');
const CLOSE = bytesOf('close');
const CHUNKED_END = bytesOf('0\r\n\r\n');

/** Whether the header line at [from, to) is named `name` (case-insensitive); the index after its colon, or -1. */
function valueStart(buf: Uint8Array, from: number, to: number, name: Uint8Array): number {
  if (to - from <= name.length || buf[from + name.length] !== 58) return -1;
  for (let i = 0; i < name.length; i++) if (lower(buf[from + i]!) !== name[i]) return -1;
  return from + name.length + 1;
}

/** Whether [from, to) contains `word` (case-insensitive). */
function contains(buf: Uint8Array, from: number, to: number, word: Uint8Array): boolean {
  for (let i = from; i + word.length <= to; i++) {
    let k = 0;
    while (k < word.length && lower(buf[i + k]!) === word[k]) k++;
    if (k === word.length) return true;
  }
  return false;
}

export class ResponseReader {
  /** The status of the last complete head. */
  status = 0;
  /** The server said `Connection: close`. */
  close = false;
  /** Bytes of the response so far (head and body). */
  bytes = 0;
  /** Total bytes of the response once the head is read; -1 before, -2 chunked. */
  private expect = -1;
  private head = new Uint8Array(1024);
  private headLen = 0;
  private readonly tail = new Uint8Array(5);

  /** Starts a new response. */
  reset(): void {
    this.expect = -1;
    this.headLen = 0;
    this.bytes = 0;
    this.close = false;
    this.tail.fill(0);
  }

  /** Takes the bytes [start, end) of `buf`; true once the response is complete. */
  feed(buf: Uint8Array, start: number, end: number): boolean {
    if (this.expect === -1) {
      let b: Uint8Array = buf;
      let from = start;
      let to = end;
      if (this.headLen > 0) {
        this.append(buf, start, end);
        b = this.head;
        from = 0;
        to = this.headLen;
      }
      const headEnd = this.findHeadEnd(b, from, to);
      if (headEnd < 0) {
        if (this.headLen === 0) this.append(buf, start, end);
        return false;
      }
      this.headLen = 0;
      this.bytes = to - from;
      if (this.parseHead(b, from, headEnd)) this.pushTail(b, headEnd + 4, to);
    } else {
      this.bytes += end - start;
      if (this.expect === -2) this.pushTail(buf, start, end);
    }
    if (this.expect !== -2) return this.bytes >= this.expect;
    for (let i = 0; i < 5; i++) if (this.tail[i] !== CHUNKED_END[i]) return false;
    return true;
  }

  private findHeadEnd(b: Uint8Array, from: number, to: number): number {
    for (let i = from; i + 3 < to; i++) if (b[i] === CR && b[i + 1] === LF && b[i + 2] === CR && b[i + 3] === LF) return i;
    return -1;
  }

  /** Reads the status line and the headers of [from, headEnd); sets status, close and expect; true when chunked. */
  private parseHead(b: Uint8Array, from: number, headEnd: number): boolean {
    this.status = (b[from + 9]! - 48) * 100 + (b[from + 10]! - 48) * 10 + (b[from + 11]! - 48);
    let length = -1;
    let chunked = false;
    let line = from;
    while (line < headEnd && b[line] !== LF) line++;
    line++;
    while (line < headEnd) {
      let eol = line;
      while (eol < headEnd && b[eol] !== CR) eol++;
      let v = valueStart(b, line, eol, CONTENT_LENGTH);
      if (v >= 0) {
        while (b[v] === 32 || b[v] === 9) v++;
        length = 0;
        while (v < eol && b[v]! >= 48 && b[v]! <= 57) length = length * 10 + b[v++]! - 48;
      } else if ((v = valueStart(b, line, eol, TRANSFER_ENCODING)) >= 0) chunked = contains(b, v, eol, CHUNKED);
      else if ((v = valueStart(b, line, eol, CONNECTION)) >= 0) this.close = contains(b, v, eol, CLOSE);
      line = eol + 2;
    }
    const body = headEnd + 4 - from;
    // no length and not chunked: no body (204, 304) or read-until-close, which uWS never does
    this.expect = chunked ? -2 : body + Math.max(0, length);
    return chunked;
  }

  private append(buf: Uint8Array, start: number, end: number): void {
    const need = this.headLen + end - start;
    if (need > this.head.length) {
      const grown = new Uint8Array(Math.max(need, this.head.length * 2));
      grown.set(this.head.subarray(0, this.headLen));
      this.head = grown;
    }
    this.head.set(buf.subarray(start, end), this.headLen);
    this.headLen = need;
  }

  private pushTail(b: Uint8Array, from: number, to: number): void {
    for (let i = Math.max(from, to - 5); i < to; i++) {
      this.tail.copyWithin(0, 1);
      this.tail[4] = b[i]!;
    }
  }
}
