// The generatedAt field against Date.prototype.toISOString for every millisecond of spans that
// cross second, minute, day and year boundaries, in order, backwards and at random (the in-place
// update of the millisecond digits must never leave a stale second behind).

import { describe, expect, it } from 'vitest';
import { generatedAtField } from './generated-at.js';

const expected = (ms: number) => `,"generatedAt":"${new Date(ms).toISOString()}"}`;
const got = (ms: number) => generatedAtField(ms).toString('latin1');

describe('generatedAtField', () => {
  it('is the JSON member ,"generatedAt":"<toISOString>"} for every millisecond, forwards and backwards', () => {
    const starts = [Date.UTC(2026, 11, 31, 23, 59, 58, 0), Date.UTC(2024, 1, 28, 23, 59, 59, 500), 0, Date.now()];
    for (const start of starts) {
      for (let ms = start; ms < start + 3000; ms++) if (got(ms) !== expected(ms)) expect(got(ms)).toBe(expected(ms));
      for (let ms = start + 3000; ms > start - 3000; ms -= 7) if (got(ms) !== expected(ms)) expect(got(ms)).toBe(expected(ms));
    }
  });

  it('matches at random times and parses back to the same instant', () => {
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor(rand() * 4e12);
      if (got(ms) !== expected(ms)) expect(got(ms)).toBe(expected(ms));
    }
    const now = Date.now();
    expect(Date.parse((JSON.parse(`{${got(now).slice(1)}`) as { generatedAt: string }).generatedAt)).toBe(now);
  });
});
