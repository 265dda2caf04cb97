// Tests the ranged artifact reader against the whole-artifact reader (readArtifact, the reference):
// every slice of every shard count, read in 7-byte chunks so every string and row crosses a chunk
// boundary, equals the same rows of the whole read; corrupt and truncated files are errors naming them.

import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/random.js';
import { testManifest } from '../serve/testing/fixtures.js';
import { historyOf, readArtifact, writeArtifact } from './artifact.js';
import { readArtifactIds, readArtifactSlice, topkShape, verifyArtifact } from './artifact-slice.js';

/** Ids with quotes, backslashes, commas, brackets and multi-byte characters. */
const USER_IDS = ['a', 'q"uote', 'back\\slash', 'com,ma', '[br]', 'é✓𝄞', 'tab\there', '', 'u8', 'u9', 'u10'];

function writeModel(): string {
  const rng = new Rng(3);
  const nUsers = USER_IDS.length;
  const nItems = 9;
  const rank = 3;
  const depth = 4;
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.nextFloat() - 0.5);
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < nUsers; u++) for (let s = 0; s < (u % 4) + 1; s++) users.push(u), items.push((u * 5 + s * 2) % nItems);
  const dir = join(mkdtempSync(join(tmpdir(), 'slice-')), 'v1');
  writeArtifact(dir, {
    rank,
    userIds: USER_IDS,
    itemIds: Array.from({ length: nItems }, (_, j) => `i${j}`),
    userFactors: rand(nUsers * rank),
    itemFactors: rand(nItems * rank),
    items: null,
    popularity: { items: Uint32Array.from({ length: nItems }, (_, j) => j), counts: new Uint32Array(nItems).fill(1) },
    topk: { depth, items: Uint32Array.from({ length: nUsers * depth }, (_, i) => (i * 7) % nItems), scores: rand(nUsers * depth) },
    history: historyOf({ nUsers, users: Uint32Array.from(users), items: Uint32Array.from(items) }),
    manifest: testManifest({ version: 'v1', params: { rank }, data: { source: 'test', fingerprint: 'f', users: nUsers, items: nItems, interactions: users.length }, topkDepth: depth }),
  });
  return dir;
}

describe('readArtifactSlice', () => {
  it('gives the rows of the whole read for every slice, verified or not', () => {
    const dir = writeModel();
    const whole = readArtifact(dir);
    const n = whole.userIds.length;
    const d = whole.topk.depth;
    const r = whole.rank;
    expect(topkShape(dir)).toEqual({ rows: n, cols: d });
    expect(readArtifactIds(dir)).toEqual({ userIds: whole.userIds, itemIds: whole.itemIds });
    for (let first = 0; first <= n; first++) {
      for (let end = first; end <= n; end++) {
        for (const verify of [true, false]) {
          const s = readArtifactSlice(dir, (rows) => (expect(rows).toBe(n), [first, end]), { verify, model: true, history: true, chunkBytes: 7 });
          expect([s.nUsers, s.first, s.end]).toEqual([n, first, end]);
          expect(s.userIds).toEqual(whole.userIds.slice(first, end));
          expect(s.itemIds).toEqual(whole.itemIds);
          expect(Array.from(s.topk.items)).toEqual(Array.from(whole.topk.items.subarray(first * d, end * d)));
          expect(Array.from(s.topk.scores)).toEqual(Array.from(whole.topk.scores.subarray(first * d, end * d)));
          expect(Array.from(s.userFactors)).toEqual(Array.from(whole.userFactors.subarray(first * r, end * r)));
          expect(Array.from(s.itemFactors)).toEqual(Array.from(whole.itemFactors));
          const h = whole.history!;
          const lo = h.offsets[first]!;
          expect(Array.from(s.history!.offsets)).toEqual(Array.from(h.offsets.subarray(first, end + 1), (x) => x - lo));
          expect(Array.from(s.history!.items)).toEqual(Array.from(h.items.subarray(lo, h.offsets[end]!)));
        }
      }
    }
    // the factors and history only when asked
    const plain = readArtifactSlice(dir, () => [1, 3]);
    expect([plain.rank, plain.userFactors.length, plain.history]).toEqual([0, 0, null]);
  });

  it('refuses a corrupt file when verifying, a truncated one always, naming the file', () => {
    const dir = writeModel();
    const all = (n: number): [number, number] => [0, n];
    const path = join(dir, 'user-ids.json');
    const ids = readFileSync(path);
    writeFileSync(path, Buffer.from(ids.toString('latin1').replace('com,ma', 'com,mb'), 'latin1'));
    expect(() => readArtifactSlice(dir, all)).toThrow(`${path}: checksum mismatch (corrupt file)`);
    expect(readArtifactSlice(dir, all, { verify: false }).userIds[3]).toBe('com,mb');
    writeFileSync(path, ids);
    corruptByte(join(dir, 'topk-scores.f32'));
    expect(() => readArtifactSlice(dir, () => [0, 1], { chunkBytes: 5 })).toThrow(/topk-scores\.f32: checksum mismatch/);
    truncateSync(join(dir, 'user-factors.f32'), 20);
    expect(() => readArtifactSlice(dir, all, { verify: false, model: true })).toThrow(/user-factors\.f32: 20 bytes, the manifest says \d+ \(truncated\?\)/);
  });
});

describe('verifyArtifact', () => {
  it('passes an intact artifact and names the corrupt, truncated or mislabelled file', () => {
    const dir = writeModel();
    expect(() => verifyArtifact(dir, { chunkBytes: 7 })).not.toThrow();
    const scores = join(dir, 'topk-scores.f32');
    const good = readFileSync(scores);
    corruptByte(scores);
    expect(() => verifyArtifact(dir, { chunkBytes: 7 })).toThrow(`${scores}: checksum mismatch (corrupt file)`);
    const relabelled = Buffer.from(good);
    relabelled.write('u32', 4, 'latin1');
    writeFileSync(scores, relabelled);
    expect(() => verifyArtifact(dir)).toThrow(`${scores}: holds u32 values, expected f32`);
    writeFileSync(scores, good);
    truncateSync(join(dir, 'history-items.u32'), 17);
    expect(() => verifyArtifact(dir)).toThrow(/history-items\.u32: 17 bytes, the manifest says \d+ \(truncated\?\)/);
  });
});

function corruptByte(p: string): void {
  const b = readFileSync(p);
  b[b.length - 1] = b[b.length - 1]! ^ 0xff;
  writeFileSync(p, b);
}
