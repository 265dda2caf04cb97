import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArtifact, writeArtifact, historyOf, ArtifactError, ARTIFACT_FILES } from './artifact.js';
import { decodeF32, decodeU32 } from './tensor-file.js';
import { LocalRegistry } from './registry.js';
import { newVersion } from './manifest.js';

function sample() {
  const rank = 3;
  return {
    rank,
    userIds: ['u1', 'u2'],
    itemIds: ['a', 'b', 'c', 'd'],
    userFactors: Float32Array.from([1, 2, 3, 4, 5, 6]),
    itemFactors: Float32Array.from({ length: 12 }, (_, i) => i / 10),
    items: { titles: ['A', 'Bé', null, 'D'], genres: [['x'], [], ['y', 'z'], []] },
    popularity: { items: Uint32Array.from([2, 0, 1, 3]), counts: Uint32Array.from([9, 5, 2, 1]) },
    topk: { depth: 2, items: Uint32Array.from([3, 1, 0, 0xffffffff]), scores: Float32Array.from([0.9, 0.5, 0.7, -Infinity]) },
    manifest: {
      version: 'v1',
      createdAt: new Date(0).toISOString(),
      codeVersion: 'test',
      params: { rank },
      engine: { kind: 'native', kernel: 'test' },
      data: { source: 'test', fingerprint: 'f', users: 2, items: 4, interactions: 3 },
      metrics: {},
      baseline: {},
      timings: {},
      iterations: [],
      topkDepth: 2,
    },
  };
}

describe('model artifact', () => {
  it('round-trips every part', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'art-')), 'v1');
    const m = writeArtifact(dir, sample());
    expect(Object.keys(m.files).sort()).toContain('topk-items.u32');
    const a = readArtifact(dir);
    const s = sample();
    expect(a.rank).toBe(3);
    expect(a.userIds).toEqual(s.userIds);
    expect(Array.from(a.userFactors)).toEqual(Array.from(s.userFactors));
    expect(Array.from(a.itemFactors)).toEqual(Array.from(s.itemFactors));
    expect(a.items).toEqual(s.items);
    expect(Array.from(a.popularity.items)).toEqual([2, 0, 1, 3]);
    expect(Array.from(a.popularity.counts)).toEqual([9, 5, 2, 1]);
    expect(Array.from(a.topk.scores)).toEqual(Array.from(s.topk.scores));
    expect(a.topk.depth).toBe(2);
  });

  it('detects a corrupt file by checksum and a truncated one by size', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'art-')), 'v1');
    writeArtifact(dir, sample());
    const f = join(dir, 'item-factors.f32');
    const buf = readFileSync(f);
    buf[20] = buf[20]! ^ 0xff;
    writeFileSync(f, buf);
    expect(() => readArtifact(dir)).toThrow(/item-factors\.f32: checksum mismatch/);
    expect(() => readArtifact(dir, { verify: false })).not.toThrow();
    truncateSync(join(dir, 'topk-items.u32'), 10);
    expect(() => readArtifact(dir, { verify: false })).toThrow(/topk-items\.u32: 10 bytes, the manifest says \d+ \(truncated\?\)/);
  });

  it('reads each file in pieces (7 bytes here) into one buffer: byte for byte what a whole-file read decodes', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'art-')), 'v1');
    const [nUsers, nItems, rank, depth] = [41, 13, 5, 4];
    const rnd = (i: number) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453);
    const users = Uint32Array.from({ length: 90 }, (_, i) => i % nUsers);
    const items = Uint32Array.from({ length: 90 }, (_, i) => (i * 7) % nItems);
    writeArtifact(dir, {
      ...sample(),
      rank,
      userIds: Array.from({ length: nUsers }, (_, u) => `user-${u}`),
      itemIds: Array.from({ length: nItems }, (_, i) => `item-${i}`),
      userFactors: Float32Array.from({ length: nUsers * rank }, (_, i) => rnd(i)),
      itemFactors: Float32Array.from({ length: nItems * rank }, (_, i) => rnd(i + 1000)),
      items: null,
      popularity: { items: Uint32Array.from({ length: nItems }, (_, i) => i), counts: Uint32Array.from({ length: nItems }, (_, i) => nItems - i) },
      topk: { depth, items: Uint32Array.from({ length: nUsers * depth }, (_, i) => i % nItems), scores: Float32Array.from({ length: nUsers * depth }, (_, i) => -i) },
      history: historyOf({ nUsers, users, items }),
    });
    // the reference: each file read whole (the reader before pieces), decoded
    const whole = (name: string) => readFileSync(join(dir, name));
    const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    for (const sharedFactors of [false, true]) {
      const a = readArtifact(dir, { chunkBytes: 7, sharedFactors });
      expect(bytes(a.userFactors).equals(bytes(decodeF32(whole(ARTIFACT_FILES.userFactors), 'uf').data))).toBe(true);
      expect(bytes(a.itemFactors).equals(bytes(decodeF32(whole(ARTIFACT_FILES.itemFactors), 'if').data))).toBe(true);
      expect(bytes(a.topk.items).equals(bytes(decodeU32(whole(ARTIFACT_FILES.topkItems), 'ti').data))).toBe(true);
      expect(bytes(a.topk.scores).equals(bytes(decodeF32(whole(ARTIFACT_FILES.topkScores), 'ts').data))).toBe(true);
      expect(bytes(a.history!.offsets).equals(bytes(decodeU32(whole(ARTIFACT_FILES.historyOffsets), 'ho').data))).toBe(true);
      expect(bytes(a.history!.items).equals(bytes(decodeU32(whole(ARTIFACT_FILES.historyItems), 'hi').data))).toBe(true);
      expect(a.userIds).toEqual(JSON.parse(whole(ARTIFACT_FILES.userIds).toString('utf8')));
      expect(a.userFactors.buffer instanceof SharedArrayBuffer).toBe(sharedFactors);
      expect(a.itemFactors.buffer instanceof SharedArrayBuffer).toBe(sharedFactors);
    }
    // a flipped byte in the last piece of a file is still caught by the checksum computed piece by piece
    const f = join(dir, ARTIFACT_FILES.userFactors);
    const buf = readFileSync(f);
    buf[buf.length - 1] = buf[buf.length - 1]! ^ 0x01;
    writeFileSync(f, buf);
    expect(() => readArtifact(dir, { chunkBytes: 7 })).toThrow(/user-factors\.f32: checksum mismatch/);
    expect(readArtifact(dir, { chunkBytes: 7, verify: false }).userFactors.length).toBe(nUsers * rank);
  });

  it('refuses to overwrite a version', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'art-')), 'v1');
    writeArtifact(dir, sample());
    expect(() => writeArtifact(dir, sample())).toThrow(ArtifactError);
  });
});

describe('local registry', () => {
  it('lists versions and switches the active pointer', () => {
    const reg = new LocalRegistry(mkdtempSync(join(tmpdir(), 'reg-')));
    expect(reg.activeVersion()).toBeNull();
    const v = newVersion(new Date(Date.UTC(2026, 10, 30, 2, 15, 33)), 'k');
    expect(v).toMatch(/^v20261130-021533-[0-9a-f]{6}$/);
    writeArtifact(reg.versionDir(v), { ...sample(), manifest: { ...sample().manifest, version: v } });
    expect(reg.list().map((m) => m.version)).toEqual([v]);
    reg.activate(v);
    expect(reg.activeVersion()).toBe(v);
    expect(() => reg.activate('v-missing')).toThrow(/manifest/);
    expect(() => reg.versionDir('../etc')).toThrow(/not a valid model version/);
  });
});
