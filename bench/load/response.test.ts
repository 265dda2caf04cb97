// Tests the response reader against responses whose end is known by construction: split at every
// byte, it must complete on the last byte and not before, with the status and the Connection
// header right, for Content-Length, chunked and bodiless answers, in any header case.

import { describe, expect, it } from 'vitest';
import { ResponseReader } from './response.js';

const body = '{"items":[1,2,3]}';
const cases: Array<{ name: string; text: string; status: number; close: boolean }> = [
  { name: 'uWS Content-Length', text: `HTTP/1.1 200 OK\r\nDate: x\r\nuWebSockets: 20\r\nContent-Length: ${body.length}\r\n\r\n${body}`, status: 200, close: false },
  {
    name: 'lower-case headers, close',
    text: `HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length:  ${body.length}\r\n\r\n${body}`,
    status: 404,
    close: true,
  },
  { name: 'chunked', text: `HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`, status: 202, close: false },
  { name: 'no body', text: 'HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n', status: 204, close: false },
  { name: 'empty Content-Length', text: 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n', status: 503, close: false },
];

/** Feeds `bytes` in pieces cut at `cuts`; the index of the piece on which the reader said complete, or -1. */
function feedPieces(r: ResponseReader, bytes: Buffer, cuts: number[]): number {
  const bounds = [0, ...cuts, bytes.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    // each read lands in a shared buffer at some offset, as the socket's onread does
    const shared = Buffer.alloc(4096, 0x2a);
    bytes.copy(shared, 7, bounds[i], bounds[i + 1]);
    if (r.feed(shared, 7, 7 + bounds[i + 1]! - bounds[i]!)) return i;
  }
  return -1;
}

describe('ResponseReader', () => {
  for (const c of cases) {
    it(`${c.name}: completes on the last byte wherever the reads split it`, () => {
      const bytes = Buffer.from(c.text, 'latin1');
      const r = new ResponseReader();
      for (let cut = 1; cut < bytes.length; cut++) {
        r.reset();
        expect(feedPieces(r, bytes, [cut]), `split at ${cut}`).toBe(1);
        expect(r.status).toBe(c.status);
        expect(r.close).toBe(c.close);
        expect(r.bytes).toBe(bytes.length);
      }
      r.reset();
      expect(feedPieces(r, bytes, [])).toBe(0);
      r.reset();
      const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
      expect(feedPieces(r, bytes, everyByte)).toBe(bytes.length - 1);
      expect(r.status).toBe(c.status);
    });
  }

  it('reads one response after another on the same connection', () => {
    const r = new ResponseReader();
    for (const c of [...cases, ...cases]) {
      r.reset();
      expect(feedPieces(r, Buffer.from(c.text, 'latin1'), [3])).toBe(1);
      expect(r.status).toBe(c.status);
      expect(r.close).toBe(c.close);
    }
  });

  it('keeps a head longer than its first buffer', () => {
    const long = `HTTP/1.1 200 OK\r\nx-pad: ${'p'.repeat(5000)}\r\nContent-Length: 2\r\n\r\n{}`;
    const r = new ResponseReader();
    expect(feedPieces(r, Buffer.from(long), [100, 2000, 4000])).toBe(3);
    expect(r.status).toBe(200);
  });
});
