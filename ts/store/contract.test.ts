// The RecommendationStore contract, one suite run against every registered back end (the store
// registry's list: a back end added there without a fixture here fails the first test): the
// embedded table, a real redis-server, and a Cosmos DB container on @vercel/cosmosdb-server over
// HTTPS. Stores are made the way the server makes them (storeFactory: remote back ends behind the
// in-process cache) and loaded the way `recs load` loads them (bulkLoad). The reference for every
// list is the loaded table itself, read row by row.
//
// The contract: get, peek and cachedNow agree with the table, by user id and by user row; an
// unknown user (id or row) has no list; mask and erase hide a user's list from this store at once
// (cache included); a remote store that cannot answer in time rejects with StoreError 'timeout'
// (an in-process one answers whatever the deadline); a store bound to a version the back end does
// not hold refuses with StoreError 'unavailable', never another version's lists.

import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIdIndex } from './embedded-ids.js';
import { bulkLoad, storeConfigFromEnv, storeFactory, type StoreConfig } from './config.js';
import type { StoreSource } from './factory.js';
import { EMPTY_ITEM, syntheticTable, type LoadTable } from './load-table.js';
import { STORE_BACKENDS, storeKinds } from './registry.js';
import { useCosmos } from './testing/use-cosmos.js';
import { useRedis } from './testing/use-redis.js';
import { StoreError, type RecommendationStore, type UserList } from './types.js';

const redis = useRedis();
const cosmos = useCosmos();
let namespaces = 0;

/** A TCP server that accepts connections and never answers (a back end that hangs). */
let silent: Server;
const sockets = new Set<Socket>();
let silentPort = 0;
beforeAll(async () => {
  silent = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});

interface Fixture {
  kind: string;
  /** The configuration of a fresh namespace (Redis key prefix, Cosmos DB container). */
  config(): StoreConfig;
  /**
   * A back end that stops answering: the configuration to make a store with, `hang()` to call once
   * that store is connected, and `release()` to undo it.
   */
  stalled(): { cfg: StoreConfig; hang(): Promise<void>; release(): Promise<void> };
}

const nothing = async () => {};

const fixtures: Fixture[] = [
  { kind: 'embedded', config: () => storeConfigFromEnv({ RECS_STORE: 'embedded' }), stalled: () => ({ cfg: storeConfigFromEnv({ RECS_STORE: 'embedded' }), hang: nothing, release: nothing }) },
  {
    kind: 'redis',
    config: () => storeConfigFromEnv({ RECS_STORE: 'redis', RECS_REDIS_URL: redis.server.url, RECS_REDIS_PREFIX: `contract${++namespaces}` }),
    // the real server, paused for every client (CLIENT PAUSE ALL) once the store is connected
    stalled: () => ({
      cfg: storeConfigFromEnv({ RECS_STORE: 'redis', RECS_REDIS_URL: redis.server.url, RECS_REDIS_PREFIX: `contract${namespaces}` }),
      hang: async () => void (await redis.client.call('CLIENT', 'PAUSE', '1000', 'ALL')),
      release: () => new Promise((r) => setTimeout(r, 1000)), // the pause ends by itself
    }),
  },
  {
    kind: 'cosmos',
    config: () => {
      const c = storeConfigFromEnv({ RECS_STORE: 'cosmos', RECS_COSMOS_ENDPOINT: cosmos.server.endpoint, RECS_COSMOS_KEY: 'test-key', RECS_COSMOS_CONTAINER: `contract-${++namespaces}` });
      return { ...c, cosmos: { ...c.cosmos, agent: cosmos.server.agent } };
    },
    // an endpoint that accepts connections and never answers
    stalled: () => {
      const c = storeConfigFromEnv({ RECS_STORE: 'cosmos', RECS_COSMOS_ENDPOINT: `https://127.0.0.1:${silentPort}/`, RECS_COSMOS_KEY: 'test-key' });
      const cfg = {
        ...c,
        cosmos: { ...c.cosmos, agent: cosmos.server.agent, endpointDiscovery: false, retryOptions: { maxRetryAttemptCount: 0, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 1 } },
      };
      return { cfg, hang: nothing, release: nothing };
    },
  },
];

/** What the server hands a store factory, made from a bulk-load table. */
function sourceOf(t: LoadTable): StoreSource {
  return {
    manifest: { version: t.version },
    table: { modelVersion: t.version, depth: t.depth, items: t.items, scores: t.scores, users: buildIdIndex([...t.userIds], 'user id') },
    items: buildIdIndex([...t.itemIds], 'item id'),
  };
}

/** The reference: the table's row for `row`, filled slots only. */
function expected(t: LoadTable, row: number): { items: number[]; scores: number[] } {
  const items: number[] = [];
  const scores: number[] = [];
  for (let j = 0; j < t.depth && t.items[row * t.depth + j] !== EMPTY_ITEM; j++) {
    items.push(t.items[row * t.depth + j]!);
    scores.push(t.scores[row * t.depth + j]!);
  }
  return { items, scores };
}

/**
 * A remote store refuses ("not connected") until its connection is up: the first answer to `user`
 * once it is, a list or null, or the error it rejected with for another reason.
 */
async function firstAnswer(s: RecommendationStore, user: string): Promise<{ list: UserList | null } | { error: unknown }> {
  for (let i = 0; i < 100; i++) {
    try {
      return { list: await s.get(user) };
    } catch (e) {
      if (!(e instanceof StoreError) || !/not connected/.test(e.message)) return { error: e };
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`the ${s.kind} store never connected`);
}

const plain = (l: UserList | null | undefined) => (l ? { version: l.modelVersion, items: Array.from(l.items), scores: Array.from(l.scores) } : l);

it('every registered back end has a fixture in this suite', () => {
  expect(fixtures.map((f) => f.kind).sort()).toEqual(storeKinds().sort());
});

describe.each(fixtures)('RecommendationStore contract: $kind', (fx) => {
  const backend = STORE_BACKENDS.find((b) => b.kind === fx.kind)!;
  const table = syntheticTable('v1', 40, 30, 5);
  let cfg: StoreConfig;
  const open: RecommendationStore[] = [];
  const make = async (c: StoreConfig, t: LoadTable = table, connect = true) => {
    const s = storeFactory(c)(sourceOf(t));
    open.push(s);
    if (connect && backend.remote) {
      const first = await firstAnswer(s, 'nobody');
      if ('error' in first) throw first.error;
    }
    return s;
  };

  beforeAll(async () => {
    cfg = fx.config();
    if (backend.remote) await bulkLoad(cfg, table);
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('get, peek and cachedNow agree with the table, by id and by row', async () => {
    const s = await make(cfg);
    expect(s.kind).toBe(fx.kind);
    expect(s.modelVersion).toBe('v1');
    expect(s.depth).toBe(5);
    for (const row of [0, 1, 2, 3, 17, 39]) {
      const want = { version: 'v1', ...expected(table, row) };
      const byId = await s.get(table.userIds[row]!);
      expect(plain(byId)).toEqual(want);
      expect(plain(await s.get(row))).toEqual(want);
      if (s.peek) {
        expect(plain(s.peek(table.userIds[row]!))).toEqual(want);
        expect(plain(s.peek(row))).toEqual(want);
      }
      // a store with an in-process cache answers a repeat from it, and the same list
      const cached = s.cachedNow?.(table.userIds[row]!);
      if (cached !== undefined) expect(plain(cached)).toEqual(want);
    }
    if (backend.remote) expect(s.cachedNow?.(table.userIds[17]!)).toBeDefined();
  });

  it('has no list for an unknown user, by id or by row', async () => {
    const s = await make(cfg);
    expect(await s.get('nobody')).toBeNull();
    expect(await s.get(-1)).toBeNull();
    expect(await s.get(table.userIds.length)).toBeNull();
    expect(await s.get(1.5)).toBeNull();
    if (s.peek) expect(s.peek('nobody')).toBeNull();
  });

  it('mask hides users from this store at once; erase removes them and says what it removed', async () => {
    const s = await make(cfg);
    const [a, b, c] = [table.userIds[4]!, table.userIds[5]!, table.userIds[6]!];
    expect(await s.get(a)).not.toBeNull(); // cached now, where the store caches
    expect(await s.get(b)).not.toBeNull();
    s.mask?.([a]);
    expect(await s.get(a)).toBeNull();
    expect(await s.get(4)).toBeNull();
    expect(s.cachedNow?.(a) ?? null).toBeNull();
    expect(s.erase).toBeDefined();
    const erased = await s.erase!(b);
    expect(erased.stored + erased.cached).toBeGreaterThanOrEqual(1);
    expect(await s.get(b)).toBeNull();
    expect(await s.get(5)).toBeNull();
    expect(s.cachedNow?.(b) ?? null).toBeNull();
    expect(plain(await s.get(c))).toEqual({ version: 'v1', ...expected(table, 6) }); // the others still served
    if (backend.remote) {
      // erased from the back end itself: a new store of the version has no list for them either
      expect(await (await make(cfg)).get(b)).toBeNull();
    }
  });

  it(backend.remote ? 'rejects with StoreError "timeout" when the back end does not answer in time' : 'answers in process whatever the deadline', async () => {
    const stalled = fx.stalled();
    const s = await make(stalled.cfg, table, stalled.cfg.kind !== 'cosmos');
    await stalled.hang();
    const started = performance.now();
    const r = s.get(table.userIds[7]!, { timeoutMs: 150 });
    const outcome = await r.then(
      (list) => ({ list }),
      (error: unknown) => ({ error }),
    );
    const elapsed = performance.now() - started;
    await stalled.release();
    if (!backend.remote) {
      expect(plain((outcome as { list: UserList | null }).list)).toEqual({ version: 'v1', ...expected(table, 7) });
      return;
    }
    const e = (outcome as { error?: unknown }).error;
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).reason).toBe('timeout');
    expect(elapsed).toBeLessThan(900); // gave up at its deadline, not when the back end came back
  });

  it(backend.remote ? 'refuses a version the back end does not hold, and verify says so' : 'serves its own version (an in-process table is always loaded)', async () => {
    const other = syntheticTable('v-not-loaded', 40, 30, 5);
    const s = await make(cfg, other, false);
    if (!backend.remote) {
      expect(s.modelVersion).toBe('v-not-loaded');
      expect(plain(await s.get(other.userIds[1]!))).toEqual({ version: 'v-not-loaded', ...expected(other, 1) });
      return;
    }
    const answer = await firstAnswer(s, other.userIds[1]!);
    expect(answer).toHaveProperty('error');
    const e = (answer as { error: unknown }).error;
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).reason).toBe('unavailable');
    expect(String((e as Error).message)).toMatch(/v-not-loaded is not loaded/);
    expect(await s.verify!([other.userIds[1]!])).toMatch(/v-not-loaded/);
    expect(await (await make(cfg)).verify!([table.userIds[1]!])).toBeNull(); // the loaded one is all there
  });
});
