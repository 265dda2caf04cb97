// Made request ids: their text, and the one header value that carries the JSON content type and
// the id (written from bytes) against that text, for small, carrying and large counter values.

import { describe, expect, it } from 'vitest';
import { jsonAndRequestIdOf, madeRequestId, nextRequestNumber, presentedRequestId } from './request-id.js';

describe('request ids', () => {
  it('keeps a sane client id and refuses others', () => {
    expect(presentedRequestId('abc-123')).toBe('abc-123');
    for (const bad of ['', 'with space', 'x'.repeat(129), 'tab\t', 'é']) expect(presentedRequestId(bad)).toBe('');
  });

  it('makes distinct ids of a per-process prefix and 12 hex digits', () => {
    const a = nextRequestNumber();
    const b = nextRequestNumber();
    expect(b).toBe(a + 1);
    expect(madeRequestId(a)).toMatch(/^[\w-]{8}-[0-9a-f]{12}$/);
    expect(madeRequestId(a)).not.toBe(madeRequestId(b));
    expect(madeRequestId(a).slice(0, 9)).toBe(madeRequestId(b).slice(0, 9));
  });

  it('writes "application/json" and the x-request-id line as one header value, byte for byte', () => {
    for (const n of [1, 9, 10, 15, 16, 255, 256, 4095, 4096, 123_456_789, 2 ** 40 + 3, 16 ** 12 - 1]) {
      expect(jsonAndRequestIdOf(n).toString('latin1')).toBe(`application/json\r\nx-request-id: ${madeRequestId(n)}`);
    }
  });
});
