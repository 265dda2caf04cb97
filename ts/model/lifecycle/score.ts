// Owns sharded batch scoring: the top-k of one contiguous slice of users (shard i of N) from a
// registry version's precomputed table, written as JSON lines to a file (written to a temporary
// file and renamed, so a rerun after a crash never leaves half a shard). A Kubernetes Indexed
// Job runs shard i = JOB_COMPLETION_INDEX on each pod. A shard reads only its users' rows of the
// artifact and streams its lines out, so its memory is ∝ its users, not the whole user base.

import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ArtifactError } from '../artifact.js';
import { artifactDepth, readArtifactSlice, type ArtifactSlice } from '../artifact-slice.js';
import { weightsTopK } from '../algorithms/item-weights.js';
import type { Engine } from '../../engine/index.js';
import type { LocalRegistry } from '../registry.js';

const WRITE_CHUNK = 4 << 20;

export interface ScoreOptions {
  shard: number;
  shards: number;
  k: number;
  out: string;
  /** Default: the active version. */
  version?: string;
  /**
   * For k beyond the stored depth: the engine that ranks every item from the factors, and the
   * interactions to leave out (the training data, as indices of the model's ids).
   */
  deep?: { engine: Engine; exclude: { users: Uint32Array; items: Uint32Array } };
}

export interface ScoreResult {
  version: string;
  /** Half-open range of user indices [first, end). */
  first: number;
  end: number;
  users: number;
  out: string;
  /** Seconds reading the artifact's slice (and ranking, for deep scoring) and writing the lines. */
  seconds: { read: number; write: number };
}

/** Users [floor(i·n/N), floor((i+1)·n/N)): contiguous, disjoint, covering every user once. */
export function shardRange(nUsers: number, shard: number, shards: number): [number, number] {
  if (!Number.isInteger(shards) || shards < 1) throw new ArtifactError(`shards must be a whole number ≥ 1, got ${shards}`);
  if (!Number.isInteger(shard) || shard < 0 || shard >= shards) throw new ArtifactError(`shard must be a whole number in 0…${shards - 1}, got ${shard}`);
  return [Math.floor((shard * nUsers) / shards), Math.floor(((shard + 1) * nUsers) / shards)];
}

/** Top-k ranked over every item from the model's part: factors on the engine, or item weights from the users' training items. */
function deepTopK(a: ArtifactSlice, deep: NonNullable<ScoreOptions['deep']>, k: number, version: string) {
  // the slice's users are rows 0 … n-1 of its factors and history: exclusions shifted to match
  const keep: number[] = [];
  for (let r = 0; r < deep.exclude.users.length; r++) if (deep.exclude.users[r]! >= a.first && deep.exclude.users[r]! < a.end) keep.push(r);
  const exclude = { users: Uint32Array.from(keep, (r) => deep.exclude.users[r]! - a.first), items: Uint32Array.from(keep, (r) => deep.exclude.items[r]!) };
  const users = Uint32Array.from({ length: a.end - a.first }, (_, j) => j);
  if (a.rank > 0) return deep.engine.topK(a, { k, users, exclude });
  if (a.itemWeights && a.history) return weightsTopK(a.itemWeights, a.history, { k, users, exclude });
  throw new ArtifactError(`${version} has neither factors nor item weights with the users' history to rank from; k must be at most the ${a.topk.depth} recommendations stored per user`);
}

/** Appends text to a file descriptor through a fixed-size buffer. */
class ChunkedWriter {
  private readonly buf = Buffer.allocUnsafe(WRITE_CHUNK);
  private used = 0;
  constructor(private readonly fd: number) {}
  write(text: string): void {
    if (this.used + Buffer.byteLength(text) > this.buf.length) this.flush();
    if (Buffer.byteLength(text) > this.buf.length) writeSync(this.fd, text);
    else this.used += this.buf.write(text, this.used);
  }
  flush(): void {
    for (let off = 0; off < this.used; ) off += writeSync(this.fd, this.buf, off, this.used - off);
    this.used = 0;
  }
}

/**
 * Writes `{"userId", "modelVersion", "items": [{"itemId", "score"}]}` lines (the API's vocabulary)
 * for the shard's users: from the stored table when k fits in its depth, else ranked from the
 * factors with `deep` (training interactions left out), which is asynchronous. Reads only the
 * shard's rows of the artifact (ts/model/artifact-slice.ts) and streams the lines out in 4 MiB
 * chunks, so memory is ∝ the shard's users.
 */
export async function scoreShard(registry: LocalRegistry, o: ScoreOptions): Promise<ScoreResult> {
  const version = o.version ?? registry.activeVersion();
  if (version === null) throw new ArtifactError(`no active model in ${registry.root}; promote one or pass a version`);
  registry.manifest(version);
  const started = performance.now();
  const deepNeeded = o.deep !== undefined && o.k > artifactDepth(registry.versionDir(version));
  const a = readArtifactSlice(registry.versionDir(version), (n) => shardRange(n, o.shard, o.shards), { verify: true, model: deepNeeded, history: deepNeeded });
  const { first, end } = a;
  let depth = a.topk.depth;
  let table = a.topk;
  if (o.k > depth) {
    if (!o.deep) throw new ArtifactError(`k ${o.k} exceeds the ${depth} recommendations stored per user in ${version}; pass --exclude <training file> to rank every item from the factors`);
    const top = await deepTopK(a, o.deep, o.k, version);
    table = { depth: o.k, items: top.items, scores: top.scores };
    depth = o.k;
  }
  const read = (performance.now() - started) / 1000;
  mkdirSync(dirname(o.out), { recursive: true });
  const tmp = `${o.out}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    const w = new ChunkedWriter(fd);
    for (let r = 0; r < end - first; r++) {
      const items: Array<{ itemId: string; score: number }> = [];
      for (let j = 0; j < o.k; j++) {
        const it = table.items[r * depth + j]!;
        if (it === 0xffffffff) break;
        items.push({ itemId: a.itemIds[it]!, score: table.scores[r * depth + j]! });
      }
      w.write(JSON.stringify({ userId: a.userIds[r]!, modelVersion: version, items }) + '\n');
    }
    w.flush();
    closeSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  renameSync(tmp, o.out);
  return { version, first, end, users: end - first, out: o.out, seconds: { read, write: (performance.now() - started) / 1000 - read } };
}
