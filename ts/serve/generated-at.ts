// Owns the encoded end of every answer body, `,"generatedAt":"<ISO 8601 time>"}`. The bytes are
// kept and updated in place: within one second only the three millisecond digits change, so
// Date.prototype.toISOString (a printf inside V8, ~6,000 instructions) runs at most once a second
// instead of once per millisecond — every request, at the rates most servers see.

const HEAD = ',"generatedAt":"';
/** "2026-12-07T13:24:09.936Z": 24 characters, the milliseconds at 20..22. */
const ISO_LENGTH = 24;
/** Bytes of `,"generatedAt":"<time>"}`. */
export const GENERATED_AT_FIELD_BYTES = HEAD.length + ISO_LENGTH + 2;
const field = Buffer.alloc(GENERATED_AT_FIELD_BYTES);
field.write(HEAD, 0, 'latin1');
field.write('"}', HEAD.length + ISO_LENGTH, 'latin1');
const msAt = HEAD.length + 20;

let second = Number.NaN;
let lastMs = Number.NaN;

/**
 * `,"generatedAt":"<ms as ISO 8601>"}` — a shared buffer, valid until the next call: copy it
 * (JsonBytes.raw does). Times from year 0 to 9999 (toISOString's 24-character form).
 */
export function generatedAtField(ms: number = Date.now()): Buffer {
  if (ms === lastMs) return field;
  lastMs = ms;
  const s = Math.floor(ms / 1000);
  if (s !== second) {
    second = s;
    field.write(new Date(ms).toISOString(), HEAD.length, 'latin1');
    return field;
  }
  const m = ms - s * 1000;
  const h = (m / 100) | 0;
  const t = ((m - h * 100) / 10) | 0;
  field[msAt] = 48 + h;
  field[msAt + 1] = 48 + t;
  field[msAt + 2] = 48 + (m - h * 100 - t * 10);
  return field;
}
