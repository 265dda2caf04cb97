// The item fold-in worker (compiled) against a real SQLite event store: it learns a new item from
// events it reads from the store itself (none handed to it; those on the model's items are left
// out), runs at the nice value it is given, and a worker that dies is replaced and learns the item
// again from the store.

import { mkdtempSync, readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../events/sqlite.js';
import { buildIdIndex } from '../store/embedded-ids.js';
import type { ItemUpdate } from './item-foldin-compute.js';
import { ItemFoldInRunner } from './item-foldin-runner.js';
import { ensureBuilt } from './testing/build.js';
import { capturedLogger } from './testing/fixtures.js';

const RANK = 2;
const USERS = 6;

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the item fold-in worker', () => {
  it('reads other replicas’ events from the store itself, and a replacement for a dead worker reads them again', async () => {
    const [worker] = ensureBuilt(['ts/serve/item-foldin-worker.js']);
    const store = new SqliteEventStore(join(mkdtempSync(join(tmpdir(), 'recs-item-foldin-')), 'events.sqlite'));
    const now = Date.now();
    await store.append([0, 1, 2].map((u) => ({ eventId: `e${u}`, userId: `u${u}`, itemId: 'fresh', type: 'click' as const, value: 1, timestamp: now, receivedAt: now })));
    await store.append([3, 4].map((u) => ({ eventId: `o${u}`, userId: `u${u}`, itemId: 'old', type: 'click' as const, value: 1, timestamp: now, receivedAt: now })));
    const updates: ItemUpdate[] = [];
    const runner = new ItemFoldInRunner({ events: store, log: capturedLogger().log, syncMs: 100, nice: 7, workerUrl: pathToFileURL(worker!), onUpdates: (_v, u) => updates.push(...u) });
    expect(runner.mode).toBe('worker');
    runner.setModel({
      version: 'v1',
      rank: RANK,
      userFactors: Float32Array.from({ length: USERS * RANK }, (_, x) => (x % RANK === 0 ? 1 : 0.1 * x)),
      users: buildIdIndex(Array.from({ length: USERS }, (_, u) => `u${u}`)),
      items: buildIdIndex(['old']),
      params: { rank: RANK, implicitPrefs: true, alpha: 40, regParam: 0.1 },
      createdAt: now - 60_000,
    });
    const learnt = () => updates.some((u) => u.itemId === 'fresh' && u.vector !== null && u.users.length === 3);
    await until('the worker read the events', learnt);
    expect(updates.some((u) => u.itemId === 'old')).toBe(false); // the model knows it
    // 7 below this thread's own nice value (the process's, under `nice pnpm test` too)
    if (process.platform === 'linux') expect(readdirSync('/proc/self/task').map((tid) => getPriority(Number(tid)))).toContain(Math.min(19, getPriority() + 7));
    updates.length = 0;
    await (runner as unknown as { worker: Worker }).worker.terminate();
    await until('the replacement read them again', learnt);
    await runner.close();
    await store.close();
  });
});
