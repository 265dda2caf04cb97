// Owns the real-time benchmark's reference for fold-in throughput: what the engine does alone, on
// this thread (one core), for the same catalog and parameters as the served model: fold-ins of
// one-event users (the benchmark's new users) with the top-k the server keeps (100), back to back.

import { loadEngine } from '../../ts/engine/index.js';
import { readArtifact } from '../../ts/model/artifact.js';
import { foldInParams } from '../../ts/model/demo-payload.js';

export function engineFoldInsPerSecond(dir: string, seconds = 3, depth = 100): number {
  const a = readArtifact(dir, { verify: false });
  const foldIn = loadEngine().createFoldIn({ rank: a.rank, itemFactors: a.itemFactors }, foldInParams(a.manifest.params as Record<string, unknown>, a.rank));
  const nItems = a.itemIds.length;
  const items = new Uint32Array(1);
  const values = Float32Array.of(2); // a "like"
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < 100; i++) {
      items[0] = (n * 7919) % Math.min(nItems, 1000);
      foldIn.recommend(items, values, depth);
      n++;
    }
  }
  return n / ((performance.now() - start) / 1000);
}
