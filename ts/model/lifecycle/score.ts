// Owns sharded batch scoring: the top-k of one contiguous slice of users (shard i of N) from a
// registry version's precomputed table, written as JSON lines to a file (written to a temporary
// file and renamed, so a rerun after a crash never leaves half a shard). A Kubernetes Indexed
// Job runs shard i = JOB_COMPLETION_INDEX on each pod.

import { renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ArtifactError, readArtifact } from '../artifact.js';
import type { LocalRegistry } from '../registry.js';

export interface ScoreOptions {
  shard: number;
  shards: number;
  k: number;
  out: string;
  /** Default: the active version. */
  version?: string;
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

export function scoreShard(registry: LocalRegistry, o: ScoreOptions): ScoreResult {
  const version = o.version ?? registry.activeVersion();
  if (version === null) throw new ArtifactError(`no active model in ${registry.root}; promote one or pass a version`);
  registry.manifest(version);
  const a = readArtifact(registry.versionDir(version), { verify: true });
  const depth = a.topk.depth;
  if (o.k > depth) throw new ArtifactError(`k ${o.k} exceeds the ${depth} recommendations stored per user in ${version}`);
  const [first, end] = shardRange(a.userIds.length, o.shard, o.shards);
  const lines: string[] = [];
  for (let u = first; u < end; u++) {
    const items: Array<{ item: string; score: number }> = [];
    for (let j = 0; j < o.k; j++) {
      const it = a.topk.items[u * depth + j]!;
      if (it === 0xffffffff) break;
      items.push({ item: a.itemIds[it]!, score: a.topk.scores[u * depth + j]! });
    }
    lines.push(JSON.stringify({ user: a.userIds[u]!, modelVersion: version, items }));
  }
  mkdirSync(dirname(o.out), { recursive: true });
  const tmp = `${o.out}.tmp-${process.pid}`;
  writeFileSync(tmp, lines.length ? lines.join('\n') + '\n' : '');
  renameSync(tmp, o.out);
  return { version, first, end, users: end - first, out: o.out };
}
