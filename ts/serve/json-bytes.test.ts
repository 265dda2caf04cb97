import { describe, expect, it } from 'vitest';
import { JsonBytes } from './json-bytes.js';

const reference = (v: number) => String(Number.isFinite(v) ? Math.round(v * 1e6) / 1e6 : 0);
const score = (v: number) => new JsonBytes(32).score(v).done().toString('latin1');

describe('JsonBytes', () => {
  it('writes scores exactly as String(Math.round(v * 1e6) / 1e6) prints them', () => {
    const edges = [0, -0, 1, -1, 0.5, 1e-7, -1e-7, 4.9999995e-7, 5e-7, -5e-7, 123.000001, 2147.483648, 1e9 + 0.25, 0.1, 0.000001, 0.00001, 1.1, Math.fround(0.99), 10, 100, 1000000];
    for (const v of edges) expect(score(v), String(v)).toBe(reference(v));
    let seed = 1;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 200_000; i++) {
      const v = Math.fround((rand() - 0.3) * (i % 7 === 0 ? 3000 : 3));
      if (score(v) !== reference(v)) expect(score(v), String(v)).toBe(reference(v));
    }
  });

  it('writes non-finite scores as 0', () => {
    for (const v of [NaN, Infinity, -Infinity]) expect(score(v)).toBe('0');
  });

  it('writes integers and JSON strings (escaped, UTF-8) like JSON.stringify', () => {
    for (const n of [0, 7, 10, 99, 12345, 2 ** 40]) expect(new JsonBytes(20).uint(n).done().toString()).toBe(String(n));
    for (const s of ['', 'plain-id_1', 'quo"te', 'back\\slash', 'tab\tnew\nline', '\u0001', 'café', '日本', '😀', '\u007f']) {
      const out = new JsonBytes(6 * s.length + 2).string(s).done().toString('utf8');
      expect(out).toBe(JSON.stringify(s));
      expect(JSON.parse(out)).toBe(s);
    }
  });

  it('refuses to hand out bytes past its capacity', () => {
    expect(() => new JsonBytes(4).string('abcdef').done()).toThrow(/wrote 8 bytes, more than the capacity of 4/);
  });

  it('joins raw bytes and characters', () => {
    const w = new JsonBytes(16).raw(Buffer.from('{"a":')).uint(1).char(0x7d);
    expect(w.done().toString()).toBe('{"a":1}');
  });

  it('keeps every finished body intact while later ones are written into the shared arena', () => {
    const bodies: { text: string; bytes: Buffer }[] = [];
    for (let i = 0; i < 5000; i++) {
      const text = `{"n":${i},"pad":"${'x'.repeat(i % 300)}"}`;
      const w = new JsonBytes(text.length + 64);
      w.raw(Buffer.from(text));
      bodies.push({ text, bytes: w.done() });
    }
    for (const b of bodies) expect(b.bytes.toString('utf8')).toBe(b.text);
  });
});
