// New items across replicas, against two real servers sharing one SQLite event store, with item
// fold-in in its worker thread (the compiled ./item-foldin-worker.ts): an item whose five events
// reach replica A is in a similar user's list on replica B within 2 s (B's worker reads the events
// A stored), and once those users are erased (on A) the item stops being recommended on both:
// erased users' events teach no new item. The same with the Cosmos DB event store (the test
// double), where the serving thread reads the other replicas' events and hands them to item fold-in.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server.js';
import { clusterRegistry } from './testing/clusters.js';
import { ensureBuilt } from './testing/build.js';
import { capturedLogger, getJson } from './testing/fixtures.js';
import { openEventStore } from '../events/open.js';
import { useCosmos } from '../store/testing/use-cosmos.js';

const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const ids = async (s: RunningServer, user: string) => ((await getJson(`${s.url}/v1/users/${user}/recommendations?k=6`)).body.items as { itemId: string }[]).map((i) => i.itemId);

/** Milliseconds until `cond` holds (polled every 10 ms), or Infinity after `ms`. */
async function within(ms: number, cond: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    if (await cond()) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 10));
  }
  return Infinity;
}

describe('new items on every replica', () => {
  it('an item learnt from events sent to one replica is recommended by the other within 2 s, and erasing its users removes it from both (SQLite, worker)', async () => {
    const [worker] = ensureBuilt(['ts/serve/item-foldin-worker.js']);
    const registry = clusterRegistry();
    const eventsDb = join(mkdtempSync(join(tmpdir(), 'recs-new-items-replicas-')), 'events.sqlite');
    await bothReplicas(() =>
      startServer({ modelsDir: registry.root, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventsDb, erasureSyncMs: 200, newItems: { workerUrl: pathToFileURL(worker!) } }),
    );
  });

  describe('with the Cosmos DB event store', () => {
    const cosmos = useCosmos();
    it('the same: the other replica reads the events through the store', async () => {
      const registry = clusterRegistry();
      const config = {
        kind: 'cosmos' as const,
        cosmos: { endpoint: cosmos.server.endpoint, auth: 'key' as const, key: 'test-key', database: 'recs', container: 'events-new-items', partitionKey: '/userId', agent: cosmos.server.agent },
      };
      await bothReplicas(async () =>
        startServer({
          modelsDir: registry.root,
          port: 0,
          logger: capturedLogger().log,
          loadMode: 'inline',
          eventStore: await openEventStore(config, { agent: cosmos.server.agent }),
          erasureSyncMs: 200,
        }),
      );
    });
  });
});

/** Starts two replicas; events on a new item sent to A reach B's lists within 2 s; erasing the item's users on A removes it from both. */
async function bothReplicas(start: () => Promise<RunningServer>): Promise<void> {
  const a = await start();
  servers.push(a);
  const b = await start();
  servers.push(b);
  expect(await ids(b, 'u7')).not.toContain('fresh');
  const events = [0, 1, 2, 3, 4].map((u) => ({ eventId: `r${u}`, userId: `u${u}`, itemId: 'fresh', type: 'click' }));
  expect((await getJson(`${a.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) })).status).toBe(202);
  const onB = await within(5000, async () => (await ids(b, 'u7')).includes('fresh'));
  expect(onB, 'replica B learnt the item').toBeLessThan(2000);
  expect(await ids(a, 'u7')).toContain('fresh');
  expect(await ids(b, 'u12')).not.toContain('fresh'); // the other cluster
  // erase the item's users on A: it has no events left, on either replica
  for (let u = 0; u < 5; u++) expect((await getJson(`${a.url}/v1/users/u${u}`, { method: 'DELETE' })).status).toBe(200);
  expect(await within(3000, async () => !(await ids(a, 'u7')).includes('fresh') && !(await ids(b, 'u7')).includes('fresh'))).toBeLessThan(3000);
  expect((await getJson(`${b.url}/v1/items/fresh/similar?k=3`)).status).toBe(404);
}
