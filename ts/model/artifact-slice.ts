// Owns reading one contiguous slice of users [first, end) of a model artifact without holding the
// rest: positioned reads of the rows of the per-user files (top-k table, user factors, history),
// the matching elements of user-ids.json found by a streaming scan, and the item-side files whole.
// Memory is the slice's (plus one read buffer). The manifest's checksums are whole-file SHA-256, so
// with `verify` each file the slice reads is streamed through the hash in fixed-size chunks (time ∝
// the file, memory constant); without it only the sizes and the tensor headers are checked. The
// same streamed check of every file verifies a whole artifact before activation (verifyArtifact).

import { ARTIFACT_FILES as FILES, readManifest, type UserHistory } from './artifact.js';
import { ArtifactError, ArtifactFile, withArtifactFile } from './artifact-file.js';
import type { Manifest } from './manifest.js';
import { decodeF32, TENSOR_HEADER as HEADER, tensorHeader } from './tensor-file.js';
import { LEGACY_PARTS } from './algorithms/parts.js';
import type { ItemWeights, ModelPart } from './algorithms/types.js';

export interface ArtifactSlice {
  manifest: Manifest;
  parts: ModelPart[];
  /** Users of the whole artifact, and the slice's half-open range of them. */
  nUsers: number;
  first: number;
  end: number;
  /** The slice's user ids (end - first of them) and every item id. */
  userIds: string[];
  itemIds: string[];
  /** (end - first) × depth rows of the top-k table. */
  topk: { depth: number; items: Uint32Array; scores: Float32Array };
  /** 0 without factors; the slice's user factors ((end - first) × rank) and every item's. */
  rank: number;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  itemWeights: ItemWeights | null;
  /** The slice's users' training items, offsets rebased to 0 (when asked and stored). */
  history: UserHistory | null;
}

type Dtype = 'f32' | 'u32';

/** Rows [first, end) of a tensor file (header checked), whole-file checksum when `verify`. */
function tensorRows(f: ArtifactFile, dtype: Dtype, rowOf: (rows: number) => [number, number], verify: boolean): { rows: number; cols: number; data: Float32Array | Uint32Array } {
  const shape = tensorHeader(f.read(0, Math.min(HEADER, f.bytes)), f.path, dtype, f.bytes);
  const [first, end] = rowOf(shape.rows);
  const lo = HEADER + first * shape.cols * 4;
  const hi = HEADER + end * shape.cols * 4;
  let out: Buffer;
  if (verify) {
    out = Buffer.allocUnsafe(hi - lo);
    f.stream(true, (chunk, at) => {
      const a = Math.max(lo, at);
      const b = Math.min(hi, at + chunk.length);
      if (a < b) chunk.copy(out, a - lo, a - at, b - at);
    });
  } else out = f.read(lo, hi);
  const data = dtype === 'f32' ? new Float32Array(out.buffer, out.byteOffset, (hi - lo) / 4) : new Uint32Array(out.buffer, out.byteOffset, (hi - lo) / 4);
  return { rows: end - first, cols: shape.cols, data: out.byteOffset % 4 === 0 ? data : data.slice() };
}

/**
 * Elements [first, end) of a JSON array of strings, scanned in chunks (the whole file when
 * `verify`, so its checksum and element count `expect` are checked too; else it stops after `end`).
 */
function jsonStringsSlice(f: ArtifactFile, first: number, end: number, verify: boolean, expect: number): string[] {
  const out: string[] = [];
  let seen = 0; // strings opened so far
  let depth = 0;
  let inStr = false;
  let esc = false;
  let pieces: Buffer[] | null = null;
  const bad = (at: number, what: string) => new ArtifactError(`${f.path}: byte ${at}: ${what} (expected a JSON array of strings)`);
  f.stream(verify, (chunk, at) => {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (inStr) {
        if (esc) esc = false;
        else if (c === 0x5c) esc = true;
        else if (c === 0x22) {
          inStr = false;
          if (pieces) {
            pieces.push(chunk.subarray(start, i + 1));
            out.push(JSON.parse(Buffer.concat(pieces).toString('utf8')) as string);
            pieces = null;
            if (seen >= end && !verify) return false;
          }
        }
      } else if (c === 0x22) {
        if (depth !== 1) throw bad(at + i, 'a string outside the array');
        inStr = true;
        if (seen >= first && seen < end) {
          pieces = [];
          start = i;
        }
        seen++;
      } else if (c === 0x5b && depth === 0) depth = 1;
      else if (c === 0x5d && depth === 1) depth = 2;
      else if (!(c === 0x2c && depth === 1) && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) throw bad(at + i, `unexpected ${JSON.stringify(String.fromCharCode(c))}`);
    }
    if (pieces) pieces.push(Buffer.from(chunk.subarray(start)));
    return true;
  });
  if (verify && (depth !== 2 || inStr)) throw bad(f.bytes, 'the array does not end');
  if (verify && seen !== expect) throw new ArtifactError(`${f.path}: ${seen} ids, the top-k table has ${expect} rows`);
  if (out.length !== end - first) throw new ArtifactError(`${f.path}: holds ${seen} ids, fewer than ${end}`);
  return out;
}

/** The shape of the artifact's top-k table in `dir`: users (rows) × stored depth (reads its header only). */
export function topkShape(dir: string): { rows: number; cols: number } {
  const m = readManifest(dir);
  return withArtifactFile(dir, FILES.topkItems, m.files[FILES.topkItems], (f) => tensorHeader(f.read(0, Math.min(HEADER, f.bytes)), f.path, 'u32', f.bytes));
}

/**
 * Checks every file the manifest of `dir` lists — size, SHA-256 (streamed in chunks), and each
 * tensor file's header against its size — in constant memory, whatever the artifact's size.
 */
export function verifyArtifact(dir: string, o: { chunkBytes?: number } = {}): void {
  const m = readManifest(dir);
  for (const name of Object.keys(m.files)) {
    withArtifactFile(
      dir,
      name,
      m.files[name],
      (f) => {
        const dtype = name.endsWith('.f32') ? 'f32' : name.endsWith('.u32') ? 'u32' : null;
        if (dtype) tensorHeader(f.read(0, Math.min(HEADER, f.bytes)), f.path, dtype, f.bytes);
        f.stream(true, () => true);
      },
      o.chunkBytes,
    );
  }
}

/** Every user and item id of the artifact in `dir` (the id files alone, checksums verified). */
export function readArtifactIds(dir: string): { userIds: string[]; itemIds: string[] } {
  const m = readManifest(dir);
  const json = (name: string) => withArtifactFile(dir, name, m.files[name], (f) => JSON.parse(f.readAll(true).toString('utf8')) as string[]);
  return { userIds: json(FILES.userIds), itemIds: json(FILES.itemIds) };
}

export const artifactDepth = (dir: string): number => topkShape(dir).cols;

export interface SliceOptions {
  /** Verify each file read against the manifest's SHA-256 (streams the whole file; default true). */
  verify?: boolean;
  /** Also read the factors (the slice's user rows, every item's) or item weights. */
  model?: boolean;
  /** Also read the slice's training items (when the artifact stores them). */
  history?: boolean;
  /** Bytes per streamed read (default 8 MiB; tests make it tiny to cross every boundary). */
  chunkBytes?: number;
}

/** Reads users [range(nUsers)) of the artifact in `dir`: see the file's head. */
export function readArtifactSlice(dir: string, range: (nUsers: number) => [number, number], o: SliceOptions = {}): ArtifactSlice {
  const manifest = readManifest(dir);
  const verify = o.verify ?? true;
  const parts = manifest.parts ?? [...LEGACY_PARTS];
  const files: ArtifactFile[] = [];
  const open = (name: string) => {
    const f = new ArtifactFile(dir, name, manifest.files[name], o.chunkBytes);
    files.push(f);
    return f;
  };
  try {
    let nUsers = -1;
    let first = 0;
    let end = 0;
    const rowOf = (rows: number): [number, number] => {
      if (nUsers < 0) {
        nUsers = rows;
        [first, end] = range(rows);
      } else if (rows !== nUsers) throw new ArtifactError(`${dir}: files disagree on the number of users (${rows} rows, the top-k table has ${nUsers})`);
      return [first, end];
    };
    const ti = tensorRows(open(FILES.topkItems), 'u32', rowOf, verify);
    const ts = tensorRows(open(FILES.topkScores), 'f32', rowOf, verify);
    if (ts.cols !== ti.cols) throw new ArtifactError(`${dir}: the top-k items and scores differ in depth`);
    const userIds = jsonStringsSlice(open(FILES.userIds), first, end, verify, nUsers);
    const itemIds = JSON.parse(open(FILES.itemIds).readAll(verify).toString('utf8')) as string[];
    let rank = 0;
    let userFactors: Float32Array = new Float32Array(0);
    let itemFactors: Float32Array = new Float32Array(0);
    let itemWeights: ItemWeights | null = null;
    if (o.model && parts.includes('itemFactors')) {
      const uf = tensorRows(open(FILES.userFactors), 'f32', rowOf, verify);
      const itf = decodeF32(open(FILES.itemFactors).readAll(verify), FILES.itemFactors);
      if (itf.rows !== itemIds.length || itf.cols !== uf.cols) throw new ArtifactError(`${dir}: files disagree on the numbers of items or the rank`);
      [rank, userFactors, itemFactors] = [uf.cols, uf.data as Float32Array, itf.data];
    }
    if (o.model && parts.includes('itemWeights')) {
      const iw = decodeF32(open(FILES.itemWeights).readAll(verify), FILES.itemWeights);
      if (iw.rows !== itemIds.length || iw.cols !== itemIds.length) throw new ArtifactError(`${dir}: ${FILES.itemWeights} is ${iw.rows} × ${iw.cols}, not items × items (${itemIds.length})`);
      itemWeights = { n: iw.rows, weights: iw.data };
    }
    let history: UserHistory | null = null;
    if (o.history && manifest.files[FILES.historyOffsets]) {
      const offsetRows = (rows: number): [number, number] => {
        rowOf(rows - 1); // nUsers + 1 offsets
        return [first, end + 1];
      };
      const offs = tensorRows(open(FILES.historyOffsets), 'u32', offsetRows, verify).data as Uint32Array;
      const itemsFile = open(FILES.historyItems);
      const lo = offs[0]!;
      const items = tensorRows(itemsFile, 'u32', () => [lo, offs[offs.length - 1]!], verify).data as Uint32Array;
      const offsets = offs.map((x) => x - lo);
      for (let u = 0; u + 1 < offsets.length; u++) if (offsets[u + 1]! < offsets[u]!) throw new ArtifactError(`${dir}: history offsets decrease at user ${first + u}`);
      for (let i = 0; i < items.length; i++) if (items[i]! >= itemIds.length) throw new ArtifactError(`${dir}: history item ${items[i]} is not an item of the model`);
      history = { offsets, items };
    }
    return {
      manifest,
      parts,
      nUsers,
      first,
      end,
      userIds,
      itemIds,
      topk: { depth: ti.cols, items: ti.data as Uint32Array, scores: ts.data as Float32Array },
      rank,
      userFactors,
      itemFactors,
      itemWeights,
      history,
    };
  } finally {
    for (const f of files) f.close();
  }
}
