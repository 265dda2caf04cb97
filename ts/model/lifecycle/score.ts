// Owns sharded batch scoring: the top-k of one contiguous slice of users (shard i of N) from a
// registry version's precomputed table, written as JSON lines to a file (written to a temporary
// file and renamed, so a rerun after a crash never leaves half a shard). A Kubernetes Indexed
// Job runs shard i = JOB_COMPLETION_INDEX on each pod.

import { renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ArtifactError, readArtifact } from '../artifact.js';
import { weightsTopK } from '../algorithms/item-weights.js';
import type { Engine } from '../../engine/index.js';
import type { LocalRegistry } from '../registry.js';

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
}

/** Users [floor(i·n/N), floor((i+1)·n/N)): contiguous, disjoint, covering every user once. */
export function shardRange(nUsers: number, shard: number, shards: number): [number, number] {
  if (!Number.isInteger(shards) || shards < 1) throw new ArtifactError(`shards must be a whole number ≥ 1, got ${shards}`);
  if (!Number.isInteger(shard) || shard < 0 || shard >= shards) throw new ArtifactError(`shard must be a whole number in 0…${shards - 1}, got ${shard}`);
  return [Math.floor((shard * nUsers) / shards), Math.floor(((shard + 1) * nUsers) / shards)];
}

/** Top-k ranked over every item from the model's part: factors on the engine, or item weights from the users' training items. */
function deepTopK(a: ReturnType<typeof readArtifact>, deep: NonNullable<ScoreOptions['deep']>, k: number, users: Uint32Array, version: string) {
  if (a.rank > 0) return deep.engine.topK(a, { k, users, exclude: deep.exclude });
  if (a.itemWeights && a.history) return weightsTopK(a.itemWeights, a.history, { k, users, exclude: deep.exclude });
  throw new ArtifactError(`${version} has neither factors nor item weights with the users' history to rank from; k must be at most the ${a.topk.depth} recommendations stored per user`);
}

/**
 * Writes `{"userId", "modelVersion", "items": [{"itemId", "score"}]}` lines (the API's vocabulary)
 * for the shard's users: from the stored table when k fits in its depth, else ranked from the
 * factors with `deep` (training interactions left out), which is asynchronous.
 */
export async function scoreShard(registry: LocalRegistry, o: ScoreOptions): Promise<ScoreResult> {
  const version = o.version ?? registry.activeVersion();
  if (version === null) throw new ArtifactError(`no active model in ${registry.root}; promote one or pass a version`);
  registry.manifest(version);
  const a = readArtifact(registry.versionDir(version), { verify: true });
  const [first, end] = shardRange(a.userIds.length, o.shard, o.shards);
  let depth = a.topk.depth;
  let table = a.topk;
  let row0 = first; // row of user `first` in `table`
  if (o.k > depth) {
    if (!o.deep) throw new ArtifactError(`k ${o.k} exceeds the ${depth} recommendations stored per user in ${version}; pass --exclude <training file> to rank every item from the factors`);
    const users = Uint32Array.from({ length: end - first }, (_, j) => first + j);
    const top = await deepTopK(a, o.deep, o.k, users, version);
    table = { depth: o.k, items: top.items, scores: top.scores };
    depth = o.k;
    row0 = 0;
  }
  const lines: string[] = [];
  for (let u = first; u < end; u++) {
    const items: Array<{ itemId: string; score: number }> = [];
    const row = (u - first + row0) * depth;
    for (let j = 0; j < o.k; j++) {
      const it = table.items[row + j]!;
      if (it === 0xffffffff) break;
      items.push({ itemId: a.itemIds[it]!, score: table.scores[row + j]! });
    }
    lines.push(JSON.stringify({ userId: a.userIds[u]!, modelVersion: version, items }));
  }
  mkdirSync(dirname(o.out), { recursive: true });
  const tmp = `${o.out}.tmp-${process.pid}`;
  writeFileSync(tmp, lines.length ? lines.join('\n') + '\n' : '');
  renameSync(tmp, o.out);
  return { version, first, end, users: end - first, out: o.out };
}
