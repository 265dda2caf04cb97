import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { feedbackValues, formatFeedback, parseFeedback } from './feedback.js';
import { readParamsFile } from './params-file.js';

describe('feedback transforms', () => {
  const r = Float32Array.from([1, 3.5, 4, 5]);
  it('keep, binarise or threshold ratings for implicit ALS, and never touch explicit ratings', () => {
    expect(Array.from(feedbackValues(r, { kind: 'value' }, true))).toEqual([1, 3.5, 4, 5]);
    expect(Array.from(feedbackValues(r, { kind: 'binary' }, true))).toEqual([1, 1, 1, 1]);
    expect(Array.from(feedbackValues(r, { kind: 'threshold', min: 4 }, true))).toEqual([-1, -1, 1, 1]);
    expect(feedbackValues(r, { kind: 'binary' }, false)).toBe(r);
  });
  it('parse and format round-trip, with a clear error otherwise', () => {
    for (const s of ['value', 'binary', 'threshold:3.5']) expect(formatFeedback(parseFeedback(s))).toBe(s);
    expect(() => parseFeedback('threshold:x')).toThrow(/feedback must be value, binary or threshold:<rating>/);
  });
});

describe('parameters file', () => {
  const write = (o: unknown) => {
    const p = join(mkdtempSync(join(tmpdir(), 'params-')), 'best.json');
    writeFileSync(p, JSON.stringify(o));
    return p;
  };
  it('reads ALS parameters and the feedback transform', () => {
    const f = readParamsFile(write({ params: { rank: 32, regParam: 0.1, confidence: 'log' }, feedback: 'binary' }));
    expect(f).toEqual({ params: { rank: 32, regParam: 0.1, confidence: 'log' }, feedback: { kind: 'binary' } });
  });
  it('names the file and key of a mistake', () => {
    expect(() => readParamsFile(write({ params: { rnak: 3 } }))).toThrow(/best\.json: params\.rnak is not an ALS parameter/);
    expect(() => readParamsFile(write({ params: { rank: '3' } }))).toThrow(/params\.rank must be a number, got "3"/);
    expect(() => readParamsFile(write({ rank: 3 }))).toThrow(/expected an object with a "params" object/);
  });
});
