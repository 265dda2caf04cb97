// Owns turning a model artifact into what the server keeps in memory (a PreparedModel): the
// embedded store's table and user index, the item index, per-genre item bitsets, unit-length item
// factors for cosine similarity, the popularity list and item metadata. It is plain data made of
// typed arrays and small arrays, so the loader's worker can build it and transfer the big buffers
// to the main thread without copying. User factors are kept (new items are folded in against them,
// ./new-items.ts, and precomputed users' lists are re-scored against new items). The
// raw item factors (for fold-in, in a SharedArrayBuffer the fold-in worker reads without a copy)
// and the try-it page's payload are made here too, so nothing reads the artifact again on the
// request thread.

import * as workerThreads from 'node:worker_threads';
import type { ModelArtifact } from '../model/artifact.js';
import { encodeDemoPayload } from '../model/demo-payload.js';
import type { Manifest } from '../model/manifest.js';
import type { ModelPart } from '../model/algorithms/types.js';
import { buildIdIndex, type IdIndexData } from '../store/embedded-ids.js';
import type { EmbeddedTable } from '../store/embedded.js';

export interface PreparedModel {
  manifest: Manifest;
  /** The parts the artifact holds: serving answers fold-in and similar items from factors or item weights, or says it cannot. */
  parts: ModelPart[];
  /** itemCount × itemCount item-item weights (EASE's B) in a SharedArrayBuffer (fold-in worker, similar items), or null. */
  itemWeights: Float32Array | null;
  /** The artifact directory it was read from. */
  dir: string;
  table: EmbeddedTable;
  items: IdIndexData;
  itemCount: number;
  /** Per item row: title or null (null array when the artifact has no metadata). */
  titles: (string | null)[] | null;
  genres: string[][] | null;
  /** Genre names in first-seen order. */
  genreNames: string[];
  /** genreNames.length × ceil(itemCount / 32) bit words: item i has genre g. */
  genreBits: Uint32Array;
  popularity: { items: Uint32Array; counts: Uint32Array };
  /** The largest item fragment (itemFragment), UTF-8 bytes. */
  maxFragmentBytes: number;
  rank: number;
  /** itemCount × rank, each row scaled to unit length (zero rows stay zero). */
  unitItemFactors: Float32Array;
  /** Each user's training items (CSR by user row, items sorted; 16-bit when the catalog allows), or null (an artifact without it). */
  history: { offsets: Uint32Array; items: Uint16Array | Uint32Array } | null;
  /** users × rank as trained (item fold-in: a new item's vector from its users' events). */
  userFactors: Float32Array;
  /** itemCount × rank as trained, in a SharedArrayBuffer (fold-in). */
  itemFactors: Float32Array;
  /** GET /demo/model.bin's body (ts/model/demo-payload.ts, f16 factors). */
  demoPayload: Uint8Array;
}

export function prepareModel(a: ModelArtifact, dir: string): PreparedModel {
  const nItems = a.itemIds.length;
  const words = Math.ceil(nItems / 32);
  const genreNames: string[] = [];
  const genreOf = new Map<string, number>();
  const memberships: [number, number][] = [];
  a.items?.genres.forEach((gs, item) => {
    for (const g of gs) {
      let idx = genreOf.get(g);
      if (idx === undefined) {
        idx = genreNames.length;
        genreOf.set(g, idx);
        genreNames.push(g);
      }
      memberships.push([idx, item]);
    }
  });
  const genreBits = new Uint32Array(genreNames.length * words);
  for (const [g, item] of memberships) genreBits[g * words + (item >>> 5)]! |= 1 << (item & 31);

  let maxFragmentBytes = 0;
  for (let i = 0; i < nItems; i++) {
    const n = Buffer.byteLength(itemFragment(a.itemIds[i]!, a.items?.titles[i] ?? null, a.items?.genres[i] ?? null));
    if (n > maxFragmentBytes) maxFragmentBytes = n;
  }

  const rank = a.rank;
  const unit = new Float32Array(a.itemFactors.length);
  for (let i = 0; i < nItems; i++) {
    let sq = 0;
    for (let j = 0; j < rank; j++) sq += a.itemFactors[i * rank + j]! ** 2;
    if (sq === 0 || !Number.isFinite(sq)) continue;
    const inv = 1 / Math.sqrt(sq);
    for (let j = 0; j < rank; j++) unit[i * rank + j] = a.itemFactors[i * rank + j]! * inv;
  }

  // the fold-in workers read these without a copy; readArtifact({ sharedFactors }) reads them into
  // shared memory already (no second copy of a 2.56 GB user-factor matrix at 10M users)
  const shared = inSharedMemory(a.itemFactors);
  const userFactors = inSharedMemory(a.userFactors);
  const weights = a.itemWeights && inSharedMemory(a.itemWeights.weights);

  return {
    manifest: a.manifest,
    parts: a.parts,
    itemWeights: weights,
    dir,
    table: { modelVersion: a.manifest.version, depth: a.topk.depth, items: a.topk.items, scores: a.topk.scores, users: buildIdIndex(a.userIds, 'user id') },
    items: buildIdIndex(a.itemIds, 'item id'),
    itemCount: nItems,
    titles: a.items?.titles ?? null,
    genres: a.items?.genres ?? null,
    genreNames,
    genreBits,
    popularity: a.popularity,
    maxFragmentBytes,
    rank,
    unitItemFactors: unit,
    history: a.history && { offsets: a.history.offsets, items: nItems <= 0x10000 ? Uint16Array.from(a.history.items) : a.history.items },
    itemFactors: shared,
    userFactors,
    demoPayload: encodeDemoPayload(a, { factors: 'f16' }),
  };
}

/** `a` itself when its memory is a SharedArrayBuffer, else a copy of it in one. */
function inSharedMemory(a: Float32Array): Float32Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const out = new Float32Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/** An item's JSON up to its score: `{"itemId":…,"title":…,"genres":[…],"score":` (title and genres when known). */
export function itemFragment(id: string, title: string | null | undefined, genres: readonly string[] | null | undefined): string {
  let s = `{"itemId":${JSON.stringify(id)}`;
  if (title != null) s += `,"title":${JSON.stringify(title)}`;
  if (genres) s += `,"genres":${JSON.stringify(genres)}`;
  return s + ',"score":';
}

/**
 * Buffers Node will not transfer: small files read with readFileSync share a pooled buffer that
 * Node (22 and later) marks untransferable, and a transfer list naming one throws; they are cloned.
 */
const untransferable: (b: ArrayBuffer) => boolean = (workerThreads as unknown as { isMarkedAsUntransferable?: (o: object) => boolean }).isMarkedAsUntransferable ?? (() => false);

/** The distinct large ArrayBuffers of `p`, to transfer rather than copy (small and pooled ones are cloned). */
export function transferables(p: PreparedModel): ArrayBuffer[] {
  const views: ArrayBufferView[] = [
    p.table.items,
    p.table.scores,
    p.table.users.bytes,
    p.table.users.offsets,
    p.table.users.slots,
    p.items.bytes,
    p.items.offsets,
    p.items.slots,
    p.genreBits,
    p.popularity.items,
    p.popularity.counts,
    p.unitItemFactors,
    ...(p.history ? [p.history.offsets, p.history.items] : []),
    p.demoPayload,
  ];
  const out = new Set<ArrayBuffer>();
  for (const v of views) if (v.buffer instanceof ArrayBuffer && v.buffer.byteLength >= 65536 && !untransferable(v.buffer)) out.add(v.buffer);
  return [...out];
}
