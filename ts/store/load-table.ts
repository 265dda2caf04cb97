// Owns what a bulk load reads: a model version's top-k table (users × depth item rows, empty slots
// 0xFFFFFFFF, best first) with its user and item ids, and the row-by-row view the Redis and
// Cosmos loaders share. An artifact (ts/model/artifact.ts) fits it as it is.

export const EMPTY_ITEM = 0xffff_ffff;

export interface LoadTable {
  version: string;
  depth: number;
  userIds: readonly string[];
  itemIds: readonly string[];
  /** userIds.length × depth item rows. */
  items: Uint32Array;
  scores: Float32Array;
  /**
   * Set when the table is one shard of the version (`recs load --shard I --shards N`): its rows are
   * users [first, first + rows) of `totalUsers`. The loader writes and verifies them, and flips the
   * store's pointer only once every user of the version is verified present (by whichever shard
   * finishes last; a rerun of any shard completes a switch left undone).
   */
  shard?: LoadShard;
}

export interface LoadShard {
  index: number;
  count: number;
  totalUsers: number;
}

/** Whether a shard's load switched the store, and how far the version is when it did not. */
export interface ShardOutcome {
  switched: boolean;
  /** E.g. "3 of 16 shards verified" or "7,500 of 10,000 users present". */
  progress?: string;
}

/** A loader's outcome as BulkLoadResult reports it: switched, and for a shard, which and how far. */
export function shardOutcome(t: LoadTable, r: ShardOutcome): { switched: boolean; shard?: { index: number; count: number; progress?: string } } {
  if (!t.shard) return { switched: r.switched };
  return { switched: r.switched, shard: { index: t.shard.index, count: t.shard.count, ...(r.progress !== undefined && { progress: r.progress }) } };
}

/** The table of an artifact (as readArtifact returns it), or of one shard of it (readArtifactSlice). */
export function tableOfArtifact(
  a: { manifest: { version: string }; userIds: string[]; itemIds: string[]; topk: { depth: number; items: Uint32Array; scores: Float32Array } },
  shard?: LoadShard,
): LoadTable {
  return { version: a.manifest.version, depth: a.topk.depth, userIds: a.userIds, itemIds: a.itemIds, items: a.topk.items, scores: a.topk.scores, ...(shard && { shard }) };
}

/** Number of filled slots of a user's row. */
export function rowLength(t: LoadTable, row: number): number {
  const start = row * t.depth;
  let n = 0;
  while (n < t.depth && t.items[start + n] !== EMPTY_ITEM) n++;
  return n;
}

export function checkTable(t: LoadTable): void {
  if (t.items.length !== t.userIds.length * t.depth || t.scores.length !== t.items.length) {
    throw new Error(`load: the top-k table (${t.items.length} slots) does not match ${t.userIds.length} users × depth ${t.depth}`);
  }
}

/** A synthetic table for tests and benchmarks: deterministic items and decreasing scores. */
export function syntheticTable(version: string, users: number, items: number, depth: number): LoadTable {
  const userIds = Array.from({ length: users }, (_, i) => `u${i}`);
  const itemIds = Array.from({ length: items }, (_, i) => `i${i}`);
  const it = new Uint32Array(users * depth);
  const sc = new Float32Array(users * depth);
  for (let u = 0; u < users; u++) {
    const n = depth - (u % 3 === 0 ? Math.min(depth, 2) : 0); // every third user has two empty slots
    for (let j = 0; j < depth; j++) {
      it[u * depth + j] = j < n ? (u * 7 + j * 13) % items : EMPTY_ITEM;
      sc[u * depth + j] = j < n ? 1 - j / depth : 0;
    }
  }
  return { version, depth, userIds, itemIds, items: it, scores: sc };
}
