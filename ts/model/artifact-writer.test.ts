import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactWriter } from './artifact-writer.js';
import { encodeTensor } from './tensor-file.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const manifest = {
  version: 'v',
  createdAt: '',
  codeVersion: 't',
  params: {},
  engine: { kind: 't', kernel: 't' },
  data: { source: 't', fingerprint: 'f', users: 0, items: 0, interactions: 0 },
  metrics: {},
  baseline: {},
  timings: {},
  iterations: [],
  topkDepth: 0,
};

describe('ArtifactWriter tensor files', () => {
  const [rows, cols] = [23, 3];
  const values = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i));
  const write = (order: number[][]) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'artw-')), 'v');
    const w = new ArtifactWriter(dir);
    const t = w.tensor('t.f32', 'f32', rows, cols);
    for (const [first, end] of order) t.put(first!, values.subarray(first! * cols, end! * cols));
    const valuesHash = w.done('t.f32', t).digest('hex');
    const m = w.finish(manifest, []);
    return { bytes: readFileSync(join(dir, 't.f32')), entry: m.files['t.f32']!, valuesHash };
  };
  const expected = Buffer.concat(encodeTensor(values, rows, cols));

  it('rows in order or in any order give the same file, checksum and values hash (the latter read back once)', () => {
    const inOrder = write([
      [0, 5],
      [5, 6],
      [6, 23],
    ]);
    const scattered = write([
      [10, 23],
      [0, 4],
      [6, 10],
      [4, 6],
    ]);
    for (const r of [inOrder, scattered]) {
      expect(r.bytes.equals(expected)).toBe(true);
      expect(r.entry).toEqual({ bytes: expected.length, sha256: sha(expected) });
      expect(r.valuesHash).toBe(sha(expected.subarray(16)));
    }
  });

  it('refuses a tensor with rows missing or outside it', () => {
    expect(() => write([[0, 22]])).toThrow(/22 of 23 rows written/);
    expect(() =>
      write([
        [5, 23],
        [0, 3],
      ]),
    ).toThrow(/21 of 23 rows written/);
    const t = new ArtifactWriter(join(mkdtempSync(join(tmpdir(), 'artw-')), 'v')).tensor('t.f32', 'f32', rows, cols);
    expect(() => t.put(21, new Float32Array(3 * cols))).toThrow(/rows 21…23 are outside its 23 × 3/);
  });
});
