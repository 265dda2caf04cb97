// Owns request ids: a client's X-Request-Id is kept when it is a sane token (1–128 characters of
// letters, digits and - _ . : / + =), else the server makes one: a random per-process prefix and a
// counter (unique within the process, cheap: no random bytes per request). The id is echoed in
// the X-Request-Id response header and written on the request's log lines.

import { randomBytes } from 'node:crypto';

const PREFIX = randomBytes(6).toString('base64url') + '-';
let counter = 0;

export function requestIdOf(presented: string): string {
  if (presented !== '' && presented.length <= 128 && SANE.test(presented)) return presented;
  return PREFIX + (++counter).toString(36);
}

const SANE = /^[A-Za-z0-9\-_.:/+=]+$/;
