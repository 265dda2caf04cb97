// Owns `recommendationId`, the id every recommendations and similar-items answer carries (batch
// entries too): 32 lowercase hex digits, a 64-bit prefix drawn at random once per process and a
// 64-bit counter. Ids are unique across replicas and restarts without coordination (two processes
// share a prefix with probability 2^-64 per pair) and cost no allocation: the counter is
// incremented in place in the encoded bytes `,"recommendationId":"<id>"`, which the body writer
// copies as it copies any other fragment.

import { randomBytes } from 'node:crypto';

export const RECOMMENDATION_ID_DIGITS = 32;
/** What a recommendationId looks like (for checks of ids clients send back). */
export const RECOMMENDATION_ID_PATTERN = /^[0-9a-f]{32}$/;

const HEAD = ',"recommendationId":"';
/** Bytes of `,"recommendationId":"<id>"`. */
export const RECOMMENDATION_ID_FIELD_BYTES = HEAD.length + RECOMMENDATION_ID_DIGITS + 1;
const field = Buffer.alloc(RECOMMENDATION_ID_FIELD_BYTES);
field.write(HEAD, 0, 'latin1');
field[field.length - 1] = 0x22;
const first = HEAD.length;
const counterFirst = first + 16;
const last = first + RECOMMENDATION_ID_DIGITS - 1;

/** A new random prefix and the counter at 0 (at start-up, and should the counter ever wrap). */
function reseed(): void {
  field.write(randomBytes(8).toString('hex'), first, 'latin1');
  field.fill(0x30, counterFirst, last + 1);
}
reseed();

/**
 * `,"recommendationId":"<the next id>"` — a shared buffer, valid until the next call: copy it
 * (JsonBytes.raw does) before asking for another.
 */
export function nextRecommendationIdField(): Buffer {
  for (let p = last; ; p--) {
    if (p < counterFirst) {
      reseed();
      break;
    }
    const c = field[p]!;
    if (c === 0x66) {
      field[p] = 0x30; // 'f' → '0', carry
      continue;
    }
    field[p] = c === 0x39 ? 0x61 : c + 1; // '9' → 'a'
    break;
  }
  return field;
}

/** The next id as a string (for callers outside the hot path and tests). */
export function nextRecommendationId(): string {
  return nextRecommendationIdField().toString('latin1', first, last + 1);
}
