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
}

/** The table of an artifact (as readArtifact returns it). */
export function tableOfArtifact(a: { manifest: { version: string }; userIds: string[]; itemIds: string[]; topk: { depth: number; items: Uint32Array; scores: Float32Array } }): LoadTable {
  return { version: a.manifest.version, depth: a.topk.depth, userIds: a.userIds, itemIds: a.itemIds, items: a.topk.items, scores: a.topk.scores };
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
