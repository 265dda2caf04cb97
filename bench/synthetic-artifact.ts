// Owns writing a large synthetic model artifact straight to disk, file by file in chunks of 65,536
// users (no whole table in memory, unlike writeArtifact): users u0…u(n-1) × items i0…i(m-1),
// random factors, a random top-k table with decreasing scores, a flat popularity list, each file
// hashed as it is written (ArtifactWriter) into a manifest of the artifact format. For the 10M-user benches.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ARTIFACT_FILES } from '../ts/model/artifact.js';
import { ArtifactWriter } from '../ts/model/artifact-writer.js';
import type { Manifest } from '../ts/model/manifest.js';
import { encodeTensorHeader, type DType } from '../ts/model/tensor-file.js';

const ROWS = 65_536;

/** xorshift32 floats in [0, 1): cheap enough for billions of values. */
function floats(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4_294_967_296;
  };
}

/** A rows × cols tensor file: the header, then `fill(row0, block)` for blocks of ROWS rows. */
function* tensorChunks(dtype: DType, rows: number, cols: number, fill: (row0: number, block: Float32Array | Uint32Array) => void): Generator<Buffer> {
  yield encodeTensorHeader(dtype, rows, cols);
  for (let r = 0; r < rows; r += ROWS) {
    const n = Math.min(ROWS, rows - r) * cols;
    const block = dtype === 'f32' ? new Float32Array(n) : new Uint32Array(n);
    fill(r, block);
    yield Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  }
}

/** `["u0","u1",…]` in chunks. */
function* idChunks(prefix: string, n: number): Generator<Buffer> {
  for (let r = 0; r < n; r += ROWS) {
    const ids: string[] = [];
    for (let i = r; i < Math.min(n, r + ROWS); i++) ids.push(JSON.stringify(`${prefix}${i}`));
    yield Buffer.from(`${r === 0 ? '[' : ','}${ids.join(',')}${r + ROWS >= n ? ']' : ''}`);
  }
  if (n === 0) yield Buffer.from('[]');
}

/** Writes the artifact of `version` into `dir` (which must not exist). Returns its manifest. */
export function writeSyntheticArtifact(dir: string, version: string, o: { users: number; items: number; rank: number; depth: number }): Manifest {
  mkdirSync(dirname(dir), { recursive: true });
  const { users, items, rank, depth } = o;
  const rnd = floats(7);
  const w = new ArtifactWriter(dir);
  const put = (name: string, chunks: Iterable<Buffer>) => w.file(name, chunks);
  const random = (scale: number) => (_: number, b: Float32Array | Uint32Array) => {
    for (let i = 0; i < b.length; i++) b[i] = (rnd() - 0.5) * scale;
  };
  put(ARTIFACT_FILES.userFactors, tensorChunks('f32', users, rank, random(0.6)));
  put(ARTIFACT_FILES.itemFactors, tensorChunks('f32', items, rank, random(0.6)));
  put(
    ARTIFACT_FILES.topkItems,
    tensorChunks('u32', users, depth, (_, b) => {
      for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * items);
    }),
  );
  put(
    ARTIFACT_FILES.topkScores,
    tensorChunks('f32', users, depth, (_, b) => {
      for (let i = 0; i < b.length; i += depth) {
        let s = 1 + rnd();
        for (let j = 0; j < depth; j++) b[i + j] = s -= rnd() * 0.05;
      }
    }),
  );
  put(
    ARTIFACT_FILES.popularity,
    tensorChunks('u32', items, 2, (row0, b) => {
      for (let i = 0; i < b.length; i += 2) (b[i] = row0 + i / 2), (b[i + 1] = items - row0 - i / 2);
    }),
  );
  put(ARTIFACT_FILES.userIds, idChunks('u', users));
  put(ARTIFACT_FILES.itemIds, idChunks('i', items));
  return w.finish(
    {
      version,
      createdAt: new Date().toISOString(),
      codeVersion: 'bench',
      params: { rank },
      engine: { kind: 'synthetic', kernel: 'none' },
      data: { source: 'synthetic', fingerprint: 'synthetic', users, items, interactions: 0 },
      metrics: {},
      baseline: {},
      timings: {},
      iterations: [],
      topkDepth: depth,
    },
    ['userFactors', 'itemFactors', 'topk', 'popularity'],
  );
}
