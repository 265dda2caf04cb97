// Owns bulk loading a version into Cosmos DB and the switch: users' documents are upserted with
// executeBulkOperations in chunks (a bounded number in flight, each operation with its partition
// key); operations answered 429 wait the server's retry-after, other failures back off, both are
// retried and finally reported by id. Upserts make a rerun after a crash complete the load with no
// duplicates. The version's document count is verified before the pointer document flips; versions
// with `keepOld` or more newer ones are deleted afterwards. A shard of a version (LoadTable.shard)
// upserts its users, then counts the whole version: the shard that finds every user present (the
// last to finish) flips the pointer; the others leave it (a rerun of any shard completes it).

import type { Container, OperationInput } from '@azure/cosmos';
import { pkOf } from './cosmos.js';
import { POINTER_ID, userDocId, type PointerDoc, type UserDoc } from './cosmos-docs.js';
import { checkTable, rowLength, type LoadTable, type ShardOutcome } from './load-table.js';
import { batchStarts, forEachLimit } from '../util/pool.js';

export interface CosmosLoadOptions {
  partitionKey?: string;
  /** Users per executeBulkOperations call (default 500). */
  chunk?: number;
  /** Calls in flight (default 2). */
  concurrency?: number;
  /** Attempts per operation (default 8). */
  attempts?: number;
  keepOld?: number;
  onProgress?: (done: number, requestCharge: number) => void;
}

export interface CosmosLoadResult extends ShardOutcome {
  users: number;
  seconds: number;
  requestCharge: number;
  retried: number;
  deletedVersions: string[];
}

export class CosmosLoadError extends Error {
  override name = 'CosmosLoadError';
  constructor(
    message: string,
    readonly failedIds: string[],
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs operations in bulk, retrying failed ones; returns RUs and retries, throws with the ids left. */
export async function bulkWithRetry(container: Container, ops: OperationInput[], attempts = 8): Promise<{ requestCharge: number; retried: number }> {
  let pending = ops;
  let requestCharge = 0;
  let retried = 0;
  for (let attempt = 1; pending.length > 0; attempt++) {
    let results: Awaited<ReturnType<typeof container.items.executeBulkOperations>> | null;
    let waitMs = 0;
    try {
      results = await container.items.executeBulkOperations(pending);
    } catch (e) {
      results = null;
      waitMs = Number((e as { retryAfterInMs?: number }).retryAfterInMs ?? 0);
      if (attempt >= attempts) throw new CosmosLoadError(`cosmos load: bulk call failed: ${(e as Error).message}`, pending.map(opId));
    }
    const again: OperationInput[] = [];
    if (results) {
      for (const r of results) {
        requestCharge += r.response?.requestCharge ?? 0;
        const status = Number(r.response?.statusCode ?? r.error?.code ?? 0);
        if (r.response && status < 400) continue;
        if (status === 404 && r.operationInput.operationType === 'Delete') continue;
        again.push(r.operationInput);
        waitMs = Math.max(waitMs, Number(r.error?.retryAfterInMs ?? 0));
      }
    } else again.push(...pending);
    if (again.length > 0 && attempt >= attempts) throw new CosmosLoadError(`cosmos load: ${again.length} operations failed after ${attempts} attempts`, again.map(opId));
    if (again.length > 0) {
      retried += again.length;
      await sleep(Math.max(waitMs, Math.min(2_000, 50 * 2 ** attempt)));
    }
    pending = again;
  }
  return { requestCharge, retried };
}

function opId(op: OperationInput): string {
  if ('id' in op && typeof op.id === 'string') return op.id;
  const body = 'resourceBody' in op ? (op.resourceBody as { id?: unknown } | undefined) : undefined;
  return String(body?.id ?? '?');
}

function userDoc(t: LoadTable, row: number): UserDoc {
  const userId = t.userIds[row]!;
  const n = rowLength(t, row);
  const items: UserDoc['items'] = [];
  for (let j = 0; j < n; j++) items.push({ itemId: t.itemIds[t.items[row * t.depth + j]!]!, score: t.scores[row * t.depth + j]! });
  return { id: userDocId(t.version, userId), userId, modelVersion: t.version, items };
}

export async function loadCosmos(container: Container, t: LoadTable, o: CosmosLoadOptions = {}): Promise<CosmosLoadResult> {
  checkTable(t);
  const started = performance.now();
  const chunk = o.chunk ?? 500;
  const n = t.userIds.length;
  let done = 0;
  let requestCharge = 0;
  let retried = 0;
  await forEachLimit(batchStarts(n, chunk), o.concurrency ?? 2, async (from) => {
    const to = Math.min(n, from + chunk);
    const ops: OperationInput[] = [];
    for (let r = from; r < to; r++) {
      const doc = userDoc(t, r);
      ops.push({ operationType: 'Upsert', partitionKey: pkOf({ ...doc }, o.partitionKey), resourceBody: { ...doc } });
    }
    const res = await bulkWithRetry(container, ops, o.attempts);
    requestCharge += res.requestCharge;
    retried += res.retried;
    done += to - from;
    o.onProgress?.(done, requestCharge);
  });

  const seconds = () => (performance.now() - started) / 1000;
  const total = t.shard?.totalUsers ?? n;
  const count = await countVersion(container, t.version);
  if (t.shard && count < total) return { users: n, seconds: seconds(), requestCharge, retried, deletedVersions: [], switched: false, progress: `${count} of ${total} users present` };
  if (count !== total) throw new Error(`cosmos load: ${count} documents of ${t.version} for ${total} users; the active version is unchanged`);
  const pointer = await readPointer(container, o.partitionKey);
  const versions = pointer.versions.filter((v) => v.version !== t.version);
  versions.push({ version: t.version, users: total, loadedAt: new Date().toISOString() });
  await writePointer(container, { ...pointer, activeVersion: t.version, versions });
  const deletedVersions = await pruneCosmos(container, o.keepOld ?? 1, o);
  return { users: n, seconds: seconds(), requestCharge, retried, deletedVersions, switched: true };
}

export async function countVersion(container: Container, version: string): Promise<number> {
  const { resources } = await container.items.query<number>({ query: 'SELECT VALUE COUNT(1) FROM c WHERE c.modelVersion = @v', parameters: [{ name: '@v', value: version }] }).fetchAll();
  return resources.reduce((a, b) => a + b, 0);
}

export async function readPointer(container: Container, partitionKey?: string): Promise<PointerDoc> {
  const r = await container.item(POINTER_ID, pkOf({ id: POINTER_ID, userId: POINTER_ID, modelVersion: POINTER_ID }, partitionKey)).read<PointerDoc>();
  return r.resource ?? { id: POINTER_ID, activeVersion: null, versions: [] };
}

async function writePointer(container: Container, p: PointerDoc): Promise<void> {
  const { id, activeVersion, versions } = p;
  await container.items.upsert({ id, userId: id, modelVersion: id, activeVersion, versions });
}

/** Deletes versions with `keepOld` + 1 or more newer loaded ones (never the active one). */
export async function pruneCosmos(container: Container, keepOld: number, o: { partitionKey?: string; attempts?: number } = {}): Promise<string[]> {
  const pointer = await readPointer(container, o.partitionKey);
  const cut = Math.max(0, pointer.versions.length - 1 - keepOld);
  const doomed = pointer.versions
    .slice(0, cut)
    .map((v) => v.version)
    .filter((v) => v !== pointer.activeVersion);
  if (doomed.length === 0) return [];
  await writePointer(container, { ...pointer, versions: pointer.versions.filter((v) => !doomed.includes(v.version)) }); // readers stop first
  for (const v of doomed) {
    const q = container.items.query<{ id: string; userId: string; modelVersion: string }>({
      query: 'SELECT c.id, c.userId, c.modelVersion FROM c WHERE c.modelVersion = @v',
      parameters: [{ name: '@v', value: v }],
    });
    const { resources } = await q.fetchAll();
    for (let i = 0; i < resources.length; i += 500) {
      const ops: OperationInput[] = resources.slice(i, i + 500).map((d) => ({ operationType: 'Delete', id: d.id, partitionKey: pkOf(d, o.partitionKey) }));
      await bulkWithRetry(container, ops, o.attempts);
    }
  }
  return doomed;
}
