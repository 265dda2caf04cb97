// Owns the real-time benchmark's reference for fold-in throughput: what the engine does alone, on
// this thread (one core), for the same catalog and parameters as the served model: fold-ins of
// one-event users (the benchmark's new users) with the top-k the server keeps (100), back to back,
// by its fastest way: one call per user, or (the native engine) recommendMany in batches of 256
// users, as the server's fold-in worker hands them over. The larger of the two is the reference.

import { loadEngine } from '../../ts/engine/index.js';
import type { FoldIn } from '../../ts/engine/types.js';
import { readArtifact } from '../../ts/model/artifact.js';
import { foldInParams } from '../../ts/model/demo-payload.js';

const BATCH = 256;

/** Fold-ins per second, one user per call and in batches (NaN: the engine has no batch call). */
export function engineFoldIns(dir: string, seconds = 3, depth = 100): { perUser: number; batched: number } {
  const a = readArtifact(dir, { verify: false });
  const foldIn = loadEngine().createFoldIn({ rank: a.rank, itemFactors: a.itemFactors }, foldInParams(a.manifest.params as Record<string, unknown>, a.rank));
  const catalog = Math.min(a.itemIds.length, 1000);
  return { perUser: perUser(foldIn, catalog, seconds / 2, depth), batched: foldIn.recommendMany ? batched(foldIn, catalog, seconds / 2, depth) : NaN };
}

function perUser(foldIn: FoldIn, catalog: number, seconds: number, depth: number): number {
  const items = new Uint32Array(1);
  const values = Float32Array.of(2); // a "like"
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < 100; i++, n++) {
      items[0] = (n * 7919) % catalog;
      foldIn.recommend(items, values, depth);
    }
  }
  return n / ((performance.now() - start) / 1000);
}

function batched(foldIn: FoldIn, catalog: number, seconds: number, depth: number): number {
  const offsets = Uint32Array.from({ length: BATCH + 1 }, (_, i) => i);
  const items = new Uint32Array(BATCH);
  const values = new Float32Array(BATCH).fill(2);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < BATCH; i++, n++) items[i] = (n * 7919) % catalog;
    foldIn.recommendMany!(offsets, items, values, depth);
  }
  return n / ((performance.now() - start) / 1000);
}
