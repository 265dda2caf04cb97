// The EventStore contract, one suite run against every backend: the SQLite file and a Cosmos DB
// container partitioned by /userId on @vercel/cosmosdb-server over HTTPS (events, erasures and the
// item catalogue's records). Plus the Cosmos store's
// own promise: a batch half-written by failing writes converges when the same batch is retried.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEventStore } from './open.js';
import type { CosmosConnection } from '../store/cosmos-client.js';
import { startThrottleProxy } from '../store/testing/cosmos-server.js';
import { useCosmos } from '../store/testing/use-cosmos.js';
import { CosmosEventStore } from './cosmos.js';
import { eventDocId } from './cosmos-docs.js';
import type { EventStore, TrackedEvent } from './types.js';
import type { ItemRecord } from './catalogue.js';
import type { Impression } from './impressions.js';

const ev = (eventId: string, userId = 'a', itemId = 'i1', timestamp = 1_700_000_000_000): TrackedEvent => ({ eventId, userId, itemId, type: 'click', value: 1, timestamp, receivedAt: timestamp });

const item = (itemId: string, updatedAt: number, extra: Partial<ItemRecord> = {}): ItemRecord => ({ itemId, available: true, deleted: false, updatedAt, ...extra });

const cosmos = useCosmos();
let containers = 0;
const cosmosConn = (container: string, endpoint = cosmos.server.endpoint): CosmosConnection => ({
  endpoint,
  auth: 'key',
  key: 'test-key',
  database: 'recs',
  container,
  partitionKey: '/userId',
  agent: cosmos.server.agent,
});

interface Backend {
  name: string;
  /** A new empty store; `reopen` opens the same data again. */
  create(): Promise<{ store: EventStore; reopen: () => Promise<EventStore> }>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    async create() {
      const path = join(mkdtempSync(join(tmpdir(), 'recs-contract-')), 'events.sqlite');
      return { store: await openEventStore({ kind: 'sqlite', path }), reopen: () => openEventStore({ kind: 'sqlite', path }) };
    },
  },
  {
    name: 'cosmos',
    async create() {
      const cfg = { kind: 'cosmos' as const, cosmos: cosmosConn(`events-${++containers}`) };
      return { store: await openEventStore(cfg, { agent: cosmos.server.agent }), reopen: () => openEventStore(cfg, { agent: cosmos.server.agent }) };
    },
  },
];

const collect = async (it: AsyncIterable<TrackedEvent>) => {
  const out: TrackedEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
};

describe.each(backends)('EventStore contract: $name', (backend) => {
  const open: EventStore[] = [];
  const fresh = async () => {
    const r = await backend.create();
    open.push(r.store);
    return r;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('stores a batch once, counting duplicates within and across batches', async () => {
    const { store } = await fresh();
    expect(await store.append([ev('e1'), ev('e2'), ev('e1')])).toEqual({ accepted: 2, duplicates: 1 });
    expect(await store.append([ev('e2'), ev('e3')])).toEqual({ accepted: 1, duplicates: 1 });
    expect((await store.forUser('a')).map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);
  });

  it('keeps any eventId a client may send: separators, percent signs, 256 characters', async () => {
    const { store } = await fresh();
    const odd = ['a/b', 'a%2Fb', 'q?x#y', 'back\\slash', 'ü ✓', 'x'.repeat(256), 'x'.repeat(255) + 'y'];
    expect(await store.append(odd.map((id) => ev(id)))).toEqual({ accepted: odd.length, duplicates: 0 });
    expect(await store.append(odd.map((id) => ev(id)))).toEqual({ accepted: 0, duplicates: odd.length });
    expect((await store.forUser('a')).map((e) => e.eventId).sort()).toEqual([...odd].sort());
  });

  it("reads one user's events oldest first, whole, and erases only that user", async () => {
    const { store } = await fresh();
    const rating: TrackedEvent = { eventId: 'r', userId: 'a', itemId: 'i3', type: 'rating', value: 4.5, timestamp: 1.5e12, receivedAt: 1.6e12 };
    await store.append([ev('x2', 'a', 'i2', 2e12), ev('x1', 'a', 'i1', 1e12), rating, ev('y', 'b')]);
    expect(await store.forUser('a')).toEqual([ev('x1', 'a', 'i1', 1e12), rating, ev('x2', 'a', 'i2', 2e12)]);
    expect(await store.forUser('nobody')).toEqual([]);
    expect(await store.deleteUser('a')).toBe(3);
    expect(await store.forUser('a')).toEqual([]);
    expect(await store.forUser('b')).toHaveLength(1);
    expect(await store.deleteUser('a')).toBe(0);
  });

  it('remembers erased users with the time, and scans every event grouped by user, oldest first', async () => {
    const { store } = await fresh();
    await store.append([ev('b1', 'b', 'i1', 3e12), ev('a2', 'a', 'i2', 2e12), ev('a1', 'a', 'i1', 1e12), ev('c', 'c'), ev('b0', 'b', 'i9', 1e12)]);
    expect((await store.erased()).size).toBe(0);
    const before = Date.now();
    await store.deleteUser('c');
    expect(await store.deleteUser('nobody')).toBe(0); // unknown: nothing to remember
    await new Promise((r) => setTimeout(r, 5)); // the next erasure in a later millisecond (erased(since) includes since)
    await store.deleteUser('in-a-model', { remember: true });
    const erased = await store.erased();
    expect([...erased.keys()]).toEqual(['c', 'in-a-model']);
    expect(erased.get('c')).toBeGreaterThanOrEqual(before);
    expect([...(await store.erased(erased.get('in-a-model')!)).keys()]).toEqual(['in-a-model']);
    expect((await store.erased(Date.now() + 1000)).size).toBe(0);
    expect((await collect(store.all())).map((e) => e.eventId)).toEqual(['a1', 'a2', 'b0', 'b1']);
    // events sent after the erasure are kept (the user came back); a replay of the old ones is refused
    await store.append([ev('c2', 'c', 'i1', Date.now() + 1000)]);
    expect((await store.forUser('c')).map((e) => e.eventId)).toEqual(['c2']);
    const replay = await store.append([ev('c', 'c')]);
    expect(replay.accepted).toBe(0);
    expect(replay.conflicts).toEqual([expect.objectContaining({ index: 0, eventId: 'c', reason: 'user_erased' })]);
    expect((await store.forUser('c')).map((e) => e.eventId)).toEqual(['c2']);
  });

  it('reads the events received since a time, across users, oldest first (replicas learn new items from them)', async () => {
    const { store } = await fresh();
    const at = (eventId: string, userId: string, receivedAt: number): TrackedEvent => ({ ...ev(eventId, userId, 'new-item', 1e12), receivedAt });
    await store.append([at('r3', 'b', 3000), at('r1', 'a', 1000), at('r2', 'c', 2000), at('r2b', 'a', 2000)]);
    expect((await store.received!(2000)).map((e) => e.eventId)).toEqual(['r2', 'r2b', 'r3']);
    expect((await store.received!(0)).map((e) => e.eventId)).toEqual(['r1', 'r2', 'r2b', 'r3']);
    expect(await store.received!(3001)).toEqual([]);
    expect((await store.received!(3000))[0]).toEqual(at('r3', 'b', 3000));
  });

  it('refuses an eventId reused for a different event (409 material), and accepts an identical resend', async () => {
    const { store } = await fresh();
    await store.append([ev('e1', 'a', 'i1')]);
    const clash = await store.append([ev('e2', 'a', 'i2'), ev('e1', 'a', 'i9')]);
    expect(clash.conflicts).toEqual([expect.objectContaining({ index: 1, eventId: 'e1', reason: 'event_id_reused' })]);
    expect(clash.conflicts![0]!.message).toMatch(/already stored for a different event .*item "i1"/);
    // a resend of the same event (its timestamp filled in by the server at another time) is a duplicate
    const resent = { ...ev('e1', 'a', 'i1'), timestamp: 1_800_000_000_000, receivedAt: 1_800_000_000_000 };
    expect(await store.append([resent])).toEqual({ accepted: 0, duplicates: 1 });
  });

  it('stores item records, the last change winning, and reads them by id and by time of change', async () => {
    const { store } = await fresh();
    expect(await store.items()).toEqual([]);
    expect(await store.item('nothing')).toBeUndefined();
    const a1 = item('a/1', 1000, { title: 'Ä', categories: ['x', 'y'], attributes: { price: 9.5, brand: 'b', new: true }, launchAt: 5e12 });
    expect(await store.putItems([a1, item('b', 2000), item('c?#', 3000, { available: false })])).toBe(3);
    expect(await store.item('a/1')).toEqual(a1);
    // an older change of a stored item is ignored; a newer one (here: a deletion) replaces it whole
    expect(await store.putItems([item('b', 1500, { title: 'stale' })])).toBe(0);
    expect(await store.putItems([item('a/1', 4000, { deleted: true })])).toBe(1);
    expect(await store.item('a/1')).toEqual(item('a/1', 4000, { deleted: true }));
    expect(await store.item('b')).toEqual(item('b', 2000));
    // a batch naming an item twice stores its newest change
    expect(await store.putItems([item('d', 6000, { title: 'new' }), item('d', 5000, { title: 'old' })])).toBe(1);
    expect((await store.item('d'))?.title).toBe('new');
    expect((await store.items()).map((r) => [r.itemId, r.updatedAt])).toEqual([
      ['b', 2000],
      ['c?#', 3000],
      ['a/1', 4000],
      ['d', 6000],
    ]);
    expect((await store.items(3000)).map((r) => r.itemId)).toEqual(['c?#', 'a/1', 'd']);
    expect(await store.items(7000)).toEqual([]);
    // item records are not events: training's scan and users' events do not see them
    expect(await collect(store.all())).toEqual([]);
    expect((await store.erased()).size).toBe(0);
  });

  it('keeps events and erasures across reopening', async () => {
    const { store, reopen } = await fresh();
    await store.append([ev('e1'), ev('e2', 'b')]);
    await store.deleteUser('b');
    await store.deleteUser('never-seen');
    await store.putItems([item('i1', 10, { available: false })]);
    await store.close();
    const again = await reopen();
    open.push(again);
    expect((await again.forUser('a')).map((e) => e.eventId)).toEqual(['e1']);
    expect([...(await again.erased()).keys()]).toEqual(['b']);
    expect(await again.append([ev('e1')])).toEqual({ accepted: 0, duplicates: 1 });
    expect(await again.items()).toEqual([item('i1', 10, { available: false })]);
  });

  it("stores impressions once per recommendationId and position, reads them by time, erases them with the user, and keeps an event's recommendationId", async () => {
    const { store, reopen } = await fresh();
    const shown = (rec: string, position: number, userId = 'a', shownAt = 1_700_000_000_000): Impression => ({
      recommendationId: rec,
      userId,
      itemId: `i${position}`,
      position,
      shownAt,
      receivedAt: shownAt,
    });
    expect(await store.appendImpressions([shown('r/1', 0), shown('r/1', 1), shown('r/1', 0)])).toEqual({ accepted: 2, duplicates: 1 });
    expect(await store.appendImpressions([shown('r/1', 1), shown('r2', 0, 'b', 1_700_000_001_000)])).toEqual({ accepted: 1, duplicates: 1 });
    expect((await store.impressions()).map((i) => `${i.recommendationId}@${i.position}`)).toEqual(['r/1@0', 'r/1@1', 'r2@0']);
    expect(await store.impressions(1_700_000_000_500)).toEqual([shown('r2', 0, 'b', 1_700_000_001_000)]);
    await store.append([{ ...ev('e1'), recommendationId: 'r/1', position: 1 }, ev('e2')]);
    await store.deleteUser('b');
    await store.close();
    const again = await reopen();
    open.push(again);
    expect((await again.impressions()).map((i) => i.userId)).toEqual(['a', 'a']);
    const events = await again.forUser('a');
    expect(events[0]).toEqual({ ...ev('e1'), recommendationId: 'r/1', position: 1 });
    expect(events[1]).toEqual(ev('e2'));
    expect((await collect(again.all())).length).toBe(2); // impressions are not events
  });
});

describe('Cosmos DB event store', () => {
  it('stores an event as a document in its user partition, id derived from the eventId', async () => {
    const store = await openEventStore({ kind: 'cosmos', cosmos: cosmosConn('events-layout') }, { agent: cosmos.server.agent });
    await store.append([ev('p/1', 'someone')]);
    const c = (store as CosmosEventStore)['container'];
    const { resource } = await c.item(eventDocId('p/1'), 'someone').read();
    expect(resource).toMatchObject({ id: 'e:p%2F1', kind: 'event', eventId: 'p/1', userId: 'someone', itemId: 'i1' });
    expect(eventDocId('x'.repeat(256))).toMatch(/^h:[0-9a-f]{64}$/);
    await store.close();
  });

  it('refuses a container partitioned by something else', async () => {
    const { createCosmosClient, ensureContainer } = await import('../store/cosmos-client.js');
    const client = createCosmosClient(cosmosConn('events-wrong'));
    await ensureContainer(client, { ...cosmosConn('events-wrong'), partitionKey: '/id' });
    client.dispose();
    await expect(openEventStore({ kind: 'cosmos', cosmos: cosmosConn('events-wrong') }, { agent: cosmos.server.agent })).rejects.toThrow(/partitioned by \/id, not \/userId/);
  });

  it('a batch half-written by failing writes converges, each event once, when the same batch is retried', async () => {
    const name = 'events-flaky';
    const direct = await openEventStore({ kind: 'cosmos', cosmos: cosmosConn(name) }, { agent: cosmos.server.agent });
    const proxy = await startThrottleProxy(cosmos.server, 3, 5);
    // through the proxy, with no retries: every third write fails with 429
    const { createCosmosClient } = await import('../store/cosmos-client.js');
    const flakyClient = createCosmosClient({
      ...cosmosConn(name, proxy.endpoint),
      retryOptions: { maxRetryAttemptCount: 0, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 0 },
      endpointDiscovery: false,
    });
    const flaky = new CosmosEventStore({ container: flakyClient.database('recs').container(name), concurrency: 4 });
    const batch = Array.from({ length: 30 }, (_, i) => ev(`f${i}`, `user${i % 4}`, `i${i}`));
    await expect(flaky.append(batch)).rejects.toThrow(/events not stored .* retrying the same batch stores the rest once/);
    expect(proxy.throttled).toBeGreaterThan(0);
    const stored = (await collect(direct.all())).length;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(30);
    const r = await direct.append(batch);
    expect(r).toEqual({ accepted: 30 - stored, duplicates: stored });
    const all = await collect(direct.all());
    expect(all.map((e) => e.eventId).sort()).toEqual(batch.map((e) => e.eventId).sort());
    flakyClient.dispose();
    await proxy.close();
    await direct.close();
  });
});
