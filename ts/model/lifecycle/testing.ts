// Owns the small hand-written model artifacts the lifecycle tests use: tiny factors and top-k
// tables with chosen metrics and baseline, so registry, gate and CLI tests need no training.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeArtifact } from '../artifact.js';
import type { Manifest } from '../manifest.js';
import type { LocalRegistry } from '../registry.js';

export interface TinyOptions {
  metrics?: Record<string, number>;
  baseline?: Record<string, number>;
  split?: Record<string, unknown> | null;
}

/** Writes version `v` with 2 users, 4 items, rank 3 and the given metrics into `registry`. */
export function writeTiny(registry: LocalRegistry, v: string, o: TinyOptions = {}): Manifest {
  registry.ensureRoot();
  const rank = 3;
  return writeArtifact(registry.versionDir(v), {
    rank,
    userIds: ['u1', 'u2'],
    itemIds: ['a', 'b', 'c', 'd'],
    userFactors: Float32Array.from([1, 2, 3, 4, 5, 6]),
    itemFactors: Float32Array.from({ length: 12 }, (_, i) => i / 10),
    items: null,
    popularity: { items: Uint32Array.from([2, 0, 1, 3]), counts: Uint32Array.from([9, 5, 2, 1]) },
    topk: { depth: 2, items: Uint32Array.from([3, 1, 0, 0xffffffff]), scores: Float32Array.from([0.9, 0.5, 0.7, -Infinity]) },
    manifest: {
      version: v,
      createdAt: new Date(0).toISOString(),
      codeVersion: 'test',
      params: { rank, k: 10 },
      engine: { kind: 'native', kernel: 'test' },
      data: {
        source: 'test',
        fingerprint: 'f',
        users: 2,
        items: 4,
        interactions: 3,
        split: o.split === undefined ? { method: 'stratified', ratio: 0.75, by: 'user', seed: 42, minRating: 1, train: 3, test: 1 } : o.split,
      },
      metrics: o.metrics ?? { 'ndcg@10': 0.4 },
      baseline: o.baseline ?? { 'ndcg@10': 0.2 },
      timings: {},
      iterations: [],
      topkDepth: 2,
    },
  });
}

/** Flips a byte of one of `v`'s files, so its checksum no longer matches. */
export function corrupt(registry: LocalRegistry, v: string, file = 'item-factors.f32'): void {
  const f = join(registry.versionDir(v), file);
  const buf = readFileSync(f);
  buf[buf.length - 1] = buf[buf.length - 1]! ^ 0xff;
  writeFileSync(f, buf);
}
