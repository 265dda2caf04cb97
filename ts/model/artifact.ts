// Owns reading and writing a model artifact directory: the model parts (factors, item-item
// weights: whichever the algorithm has, listed in the manifest's `parts`), id maps, item metadata,
// the popularity list and the precomputed top-k table, each checksummed in the manifest. Writes go
// to a temporary directory renamed into place, so a reader never sees half an artifact.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactError, withArtifactFile } from './artifact-file.js';
import { decodeF32, decodeU32, encodeTensor } from './tensor-file.js';
import { ARTIFACT_FORMAT, type Manifest } from './manifest.js';
import { ArtifactWriter } from './artifact-writer.js';
import { LEGACY_PARTS } from './algorithms/parts.js';
import type { ItemWeights, ModelPart } from './algorithms/types.js';

export interface ItemMetadata {
  /** Per item index: title, or null when unknown. */
  titles: (string | null)[];
  /** Per item index: genre names. */
  genres: string[][];
}

export interface ModelArtifact {
  manifest: Manifest;
  /** The parts the artifact holds (manifest.parts; ALS's for artifacts written before it). */
  parts: ModelPart[];
  /** 0 when the model has no factors. */
  rank: number;
  userIds: string[];
  itemIds: string[];
  /** nUsers × rank (empty without factors) */
  userFactors: Float32Array;
  /** nItems × rank (empty without factors) */
  itemFactors: Float32Array;
  /** nItems × nItems item-item weights (EASE's B), or null. */
  itemWeights: ItemWeights | null;
  items: ItemMetadata | null;
  /** Item indices, most popular first, with their interaction counts. */
  popularity: { items: Uint32Array; counts: Uint32Array };
  /** nUsers × depth item indices (0xFFFFFFFF = empty) and scores, best first. */
  topk: { depth: number; items: Uint32Array; scores: Float32Array };
  /**
   * Every user's training items (the interactions the model was fitted on), so the server never
   * recommends them when it fills a list from the popularity list: user u's item indices, sorted
   * ascending, are items[offsets[u] .. offsets[u + 1]). Null in artifacts written before it existed.
   */
  history: UserHistory | null;
}

/** Users' item indices in CSR form (see ModelArtifact.history). */
export interface UserHistory {
  /** nUsers + 1 */
  offsets: Uint32Array;
  items: Uint32Array;
}

/** The artifact's file names. */
export const ARTIFACT_FILES = {
  userFactors: 'user-factors.f32',
  itemFactors: 'item-factors.f32',
  userIds: 'user-ids.json',
  itemIds: 'item-ids.json',
  items: 'items.json',
  popularity: 'popularity.u32',
  topkItems: 'topk-items.u32',
  topkScores: 'topk-scores.f32',
  historyOffsets: 'history-offsets.u32',
  historyItems: 'history-items.u32',
  itemWeights: 'item-weights.f32',
} as const;
const FILES = ARTIFACT_FILES;

export { ArtifactError };

/** Writes `a` to `dir` (which must not exist; through ArtifactWriter). The manifest's `format` and `files` are filled in here. */
export function writeArtifact(
  dir: string,
  a: Omit<ModelArtifact, 'manifest' | 'history' | 'parts' | 'itemWeights'> & { history?: UserHistory | null; itemWeights?: ItemWeights | null; manifest: Omit<Manifest, 'files' | 'format' | 'parts'> },
): Manifest {
  const nUsers = a.userIds.length;
  const nItems = a.itemIds.length;
  check(a.userFactors.length === nUsers * a.rank, `user factors hold ${a.userFactors.length} values for ${nUsers} users × rank ${a.rank}`);
  check(a.itemFactors.length === nItems * a.rank, `item factors hold ${a.itemFactors.length} values for ${nItems} items × rank ${a.rank}`);
  check(a.topk.items.length === nUsers * a.topk.depth && a.topk.scores.length === a.topk.items.length, 'top-k table does not match users × depth');
  check(a.popularity.items.length === a.popularity.counts.length, 'popularity items and counts differ in length');

  const parts: ModelPart[] = [];
  // each file as its pieces: a tensor is its 16-byte header and a view of the typed array (no
  // copy, so writing holds no second copy of the factors or the top-k table)
  const contents: Record<string, Buffer[]> = {};
  if (a.rank > 0) {
    contents[FILES.userFactors] = encodeTensor(a.userFactors, nUsers, a.rank);
    contents[FILES.itemFactors] = encodeTensor(a.itemFactors, nItems, a.rank);
    parts.push('userFactors', 'itemFactors');
  }
  if (a.itemWeights) {
    check(a.itemWeights.n === nItems && a.itemWeights.weights.length === nItems * nItems, `item weights hold ${a.itemWeights.weights.length} values for ${nItems} × ${nItems} items`);
    contents[FILES.itemWeights] = encodeTensor(a.itemWeights.weights, nItems, nItems);
    parts.push('itemWeights');
  }
  parts.push('topk', 'popularity');
  Object.assign(contents, {
    [FILES.userIds]: [Buffer.from(JSON.stringify(a.userIds))],
    [FILES.itemIds]: [Buffer.from(JSON.stringify(a.itemIds))],
    [FILES.popularity]: encodeTensor(interleave(a.popularity.items, a.popularity.counts), a.popularity.items.length, 2),
    [FILES.topkItems]: encodeTensor(a.topk.items, nUsers, a.topk.depth),
    [FILES.topkScores]: encodeTensor(a.topk.scores, nUsers, a.topk.depth),
  });
  if (a.items) contents[FILES.items] = [Buffer.from(JSON.stringify(a.items))];
  if (a.history) {
    const h = a.history;
    check(h.offsets.length === nUsers + 1 && h.offsets[nUsers] === h.items.length, 'history offsets do not match the users and items');
    contents[FILES.historyOffsets] = encodeTensor(h.offsets, nUsers + 1, 1);
    contents[FILES.historyItems] = encodeTensor(h.items, h.items.length, 1);
    parts.push('history');
  }

  const w = new ArtifactWriter(dir);
  try {
    for (const [name, pieces] of Object.entries(contents)) w.file(name, pieces);
    return w.finish(a.manifest, parts);
  } catch (e) {
    w.abort();
    throw e;
  }
}

/** Reads the manifest alone (cheap: lists and registries use it). */
export function readManifest(dir: string): Manifest {
  const path = join(dir, 'manifest.json');
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (e) {
    throw new ArtifactError(`${path}: cannot read the manifest: ${(e as Error).message}`);
  }
  if (m.format !== ARTIFACT_FORMAT) throw new ArtifactError(`${path}: format "${String(m.format)}" is not ${ARTIFACT_FORMAT}`);
  return m;
}

/**
 * Reads and (by default) verifies every file's checksum; a corrupt or truncated file is an error
 * naming it. Each file is read in pieces of `chunkBytes` (default 8 MiB) into one buffer, hashed as
 * it is read, so a file of any size loads (a 10M-user × rank 64 user-factor file is 2.56 GB).
 * `sharedFactors`: the factors' memory is a SharedArrayBuffer (the server's worker threads read
 * them without a copy).
 */
export function readArtifact(dir: string, opts: { verify?: boolean; sharedFactors?: boolean; chunkBytes?: number } = {}): ModelArtifact {
  const manifest = readManifest(dir);
  const verify = opts.verify ?? true;
  const load = (name: string, shared = false): Buffer => withArtifactFile(dir, name, manifest.files[name], (f) => f.readAll(verify, shared), opts.chunkBytes);
  const json = <T>(name: string): T => JSON.parse(load(name).toString('utf8')) as T;
  const parts = manifest.parts ?? [...LEGACY_PARTS];
  const empty = { rows: 0, cols: 0, data: new Float32Array(0) };
  const hasFactors = parts.includes('itemFactors');
  const shared = opts.sharedFactors ?? false;
  const uf = hasFactors ? decodeF32(load(FILES.userFactors, shared), FILES.userFactors) : empty;
  const itf = hasFactors ? decodeF32(load(FILES.itemFactors, shared), FILES.itemFactors) : empty;
  const iw = parts.includes('itemWeights') ? decodeF32(load(FILES.itemWeights, shared), FILES.itemWeights) : null;
  const pop = decodeU32(load(FILES.popularity), FILES.popularity);
  const ti = decodeU32(load(FILES.topkItems), FILES.topkItems);
  const ts = decodeF32(load(FILES.topkScores), FILES.topkScores);
  const userIds = json<string[]>(FILES.userIds);
  const itemIds = json<string[]>(FILES.itemIds);
  const n = pop.rows;
  const popItems = new Uint32Array(n);
  const popCounts = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    popItems[i] = pop.data[2 * i]!;
    popCounts[i] = pop.data[2 * i + 1]!;
  }
  if ((hasFactors && (uf.rows !== userIds.length || itf.rows !== itemIds.length || uf.cols !== itf.cols)) || ti.rows !== userIds.length) {
    throw new ArtifactError(`${dir}: files disagree on the numbers of users, items or the rank`);
  }
  if (iw && (iw.rows !== itemIds.length || iw.cols !== itemIds.length)) throw new ArtifactError(`${dir}: ${FILES.itemWeights} is ${iw.rows} × ${iw.cols}, not items × items (${itemIds.length})`);
  return {
    manifest,
    parts,
    rank: uf.cols,
    userIds,
    itemIds,
    userFactors: uf.data,
    itemFactors: itf.data,
    itemWeights: iw && { n: iw.rows, weights: iw.data },
    items: manifest.files[FILES.items] ? json<ItemMetadata>(FILES.items) : null,
    popularity: { items: popItems, counts: popCounts },
    topk: { depth: ti.cols, items: ti.data, scores: ts.data },
    history: manifest.files[FILES.historyOffsets] ? readHistory(dir, userIds.length, itemIds.length, load) : null,
  };
}

function readHistory(dir: string, nUsers: number, nItems: number, load: (name: string) => Buffer): UserHistory {
  const offsets = decodeU32(load(FILES.historyOffsets), FILES.historyOffsets).data;
  const items = decodeU32(load(FILES.historyItems), FILES.historyItems).data;
  if (offsets.length !== nUsers + 1 || offsets[0] !== 0 || offsets[nUsers] !== items.length) throw new ArtifactError(`${dir}: the history does not match the users`);
  for (let u = 0; u < nUsers; u++) if (offsets[u + 1]! < offsets[u]!) throw new ArtifactError(`${dir}: history offsets decrease at user ${u}`);
  for (let i = 0; i < items.length; i++) if (items[i]! >= nItems) throw new ArtifactError(`${dir}: history item ${items[i]} is not an item of the model`);
  return { offsets, items };
}

/** The CSR history of COO interactions (duplicates kept once), each user's items sorted. */
export function historyOf(x: { nUsers: number; users: Uint32Array; items: Uint32Array }): UserHistory {
  const counts = new Uint32Array(x.nUsers + 1);
  for (let i = 0; i < x.users.length; i++) counts[x.users[i]! + 1]!++;
  for (let u = 0; u < x.nUsers; u++) counts[u + 1]! += counts[u]!;
  const fill = counts.slice(0, x.nUsers);
  const raw = new Uint32Array(x.users.length);
  for (let i = 0; i < x.users.length; i++) raw[fill[x.users[i]!]!++] = x.items[i]!;
  const offsets = new Uint32Array(x.nUsers + 1);
  const items = new Uint32Array(raw.length);
  let n = 0;
  for (let u = 0; u < x.nUsers; u++) {
    const row = raw.subarray(counts[u]!, counts[u + 1]!).sort();
    for (let i = 0; i < row.length; i++) if (i === 0 || row[i] !== row[i - 1]) items[n++] = row[i]!;
    offsets[u + 1] = n;
  }
  return { offsets, items: items.slice(0, n) };
}

/** [a0, b0, a1, b1, …] (the popularity file's rows). */
export function interleave(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length * 2);
  for (let i = 0; i < a.length; i++) {
    out[2 * i] = a[i]!;
    out[2 * i + 1] = b[i]!;
  }
  return out;
}

function check(ok: boolean, msg: string): asserts ok {
  if (!ok) throw new ArtifactError(`writeArtifact: ${msg}`);
}
