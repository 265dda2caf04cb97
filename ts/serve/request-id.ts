// Owns request ids: a client's X-Request-Id is kept when it is a sane token (1–128 characters of
// letters, digits and - _ . : / + =), else the server makes one: a random per-process prefix and a
// counter (12 hex digits; unique within the process, cheap: no random bytes per request). The id
// is echoed in the X-Request-Id response header and written on the request's log lines.
// A made id costs no string: the request keeps its number, the text is made only for a log line,
// and the response header is written from bytes (jsonAndRequestIdOf).

import { randomBytes } from 'node:crypto';

const PREFIX = `${randomBytes(6).toString('base64url')}-`;
const DIGITS = 12;
let counter = 0;

/** The number of a new made id (> 0). */
export function nextRequestNumber(): number {
  return ++counter;
}

/** The client's id when it is sane, else '' (the request then uses a made id). */
export function presentedRequestId(presented: string): string {
  return presented !== '' && presented.length <= 128 && SANE.test(presented) ? presented : '';
}

/** The text of made id `n`. */
export function madeRequestId(n: number): string {
  return PREFIX + n.toString(16).padStart(DIGITS, '0');
}

const SANE = /^[A-Za-z0-9\-_.:/+=]+$/;

/**
 * One header value that writes two headers: `application/json`, then the line break and
 * `x-request-id: <made id n>`. uWebSockets.js copies a header's name and value as they are, so one
 * writeHeader call can send both (each native call costs more than the bytes it writes). A shared
 * buffer, valid until the next call.
 */
const BLOCK_HEAD = `application/json\r\nx-request-id: ${PREFIX}`;
const block = Buffer.alloc(BLOCK_HEAD.length + DIGITS);
block.write(BLOCK_HEAD, 0, 'latin1');
export function jsonAndRequestIdOf(n: number): Buffer {
  let v = n;
  for (let p = block.length - 1; p >= BLOCK_HEAD.length; p--) {
    const d = v % 16;
    block[p] = d < 10 ? 48 + d : 87 + d;
    v = (v - d) / 16;
  }
  return block;
}
