import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMPLICIT_SPACE, randomTrials } from './space.js';
import { checkSpaceFits, parseSpace, trialBytes } from './space-spec.js';

describe('tune --space', () => {
  it('lays command-line choices and ranges over the default space', () => {
    const s = parseSpace('rank=128,256, 512; regParam=0.01:10; confidence=log; unobservedWeight=0.05; feedback=value,threshold:4', IMPLICIT_SPACE);
    expect(s.rank).toEqual([128, 256, 512]);
    expect(s.regParam).toEqual([0.01, 10]);
    expect(s.regParamGrid).toEqual([0.01, 0.1, 1, 10]);
    expect(s.confidence).toEqual(['log']);
    expect(s.unobservedWeight).toEqual([0.05, 0.05]);
    expect(s.feedback).toEqual(['value', 'threshold:4']);
    expect(s.alpha).toEqual(IMPLICIT_SPACE.alpha);
    for (const t of randomTrials(s, 30, 1)) {
      expect([128, 256, 512]).toContain(t.params.rank);
      expect(t.params.unobservedWeight).toBe(0.05);
      expect(t.params.regParam!).toBeGreaterThanOrEqual(0.01);
      expect(t.params.regParam!).toBeLessThanOrEqual(10);
    }
  });

  it('reads a JSON file with lists and {min, max} ranges', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'space-')), 'space.json');
    writeFileSync(path, JSON.stringify({ rank: [64], alpha: { min: 1, max: 50 }, regScaling: ['frequency'], regExponent: [0.5, 1] }));
    const s = parseSpace(path, IMPLICIT_SPACE);
    expect(s).toMatchObject({ rank: [64], alpha: [1, 50], regScaling: ['frequency'], regExponent: [0.5, 1] });
    expect(randomTrials(s, 10, 2).every((t) => t.params.regScaling === 'frequency' && [0.5, 1].includes(t.params.regExponent!))).toBe(true);
  });

  it('names the key and the value that is wrong', () => {
    expect(() => parseSpace('rnak=5', IMPLICIT_SPACE)).toThrow('--space: unknown key "rnak"');
    expect(() => parseSpace('rank=2048', IMPLICIT_SPACE)).toThrow('rank: 2048 must be an integer in 1..1024');
    expect(() => parseSpace('alpha=5:1', IMPLICIT_SPACE)).toThrow('alpha: the range 5:1');
    expect(() => parseSpace('unobservedWeight=0:1', IMPLICIT_SPACE)).toThrow('unobservedWeight');
    expect(() => parseSpace('regExponent=9', IMPLICIT_SPACE)).toThrow('regExponent (nu): 9 must be in 0..4');
    expect(() => parseSpace('confidence=cubic', IMPLICIT_SPACE)).toThrow('confidence: "cubic" must be one of one-plus-alpha, linear, log');
    expect(() => parseSpace('rank', IMPLICIT_SPACE)).toThrow('"rank" is not key=values');
    expect(() => parseSpace('/nonexistent/space.json', IMPLICIT_SPACE)).toThrow('--space: cannot read /nonexistent/space.json');
  });

  it('refuses a space whose largest rank cannot fit, saying how much it needs', () => {
    const s = parseSpace('rank=64,1024', IMPLICIT_SPACE);
    const need = 2 * trialBytes(1024, 162_541, 59_047);
    expect(() => checkSpaceFits(s, 162_541, 59_047, 2, need - 1)).toThrow(/rank 1024 needs about 3\.4 GiB .* lower the largest rank in --space or --concurrency/);
    expect(() => checkSpaceFits(s, 162_541, 59_047, 2, need)).not.toThrow();
  });
});
