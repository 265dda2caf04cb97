// The acceptance test for serving correctness, on MovieLens 100K with a real server: for
// every user, k = 100 and each genre filter return no item from that user's training data (read
// from u.data here, independently of the artifact) or their events, with scores never increasing
// and no item twice; paging through a user's answer repeats nothing. Run against the embedded
// store, a real redis-server and the Cosmos DB test server (lists bulk-loaded by `recs load`'s code).

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEngine } from '../engine/index.js';
import { readArtifact } from '../model/artifact.js';
import { DEFAULT_OPTIONS } from '../model/pipeline/options.js';
import { silentProgress } from '../model/pipeline/progress.js';
import { trainAndPublish as train } from '../model/lifecycle/publish.js';
import { storeConfigFromEnv, storeFactory } from '../store/config.js';
import { tableOfArtifact } from '../store/load-table.js';
import { loadRedis } from '../store/redis-load.js';
import { useRedis } from '../store/testing/use-redis.js';
import { useCosmos } from '../store/testing/use-cosmos.js';
import { createCosmosClient, ensureContainer } from '../store/cosmos-client.js';
import { loadCosmos } from '../store/cosmos-load.js';
import { startServer, type RunningServer, type ServerOptions } from './server.js';
import { capturedLogger, getJson } from './testing/fixtures.js';
import { forEachLimit } from '../util/pool.js';

const ML100K = resolve(__dirname, '../../../shared/datasets/ml-100k');
const hasMl100k = existsSync(join(ML100K, 'u.data'));
if (!hasMl100k) console.warn(`no-seen-items.test: ${ML100K} not found; the MovieLens 100K serving-correctness tests are skipped`);

interface Item {
  itemId: string;
  score: number;
  origin?: string;
}

/** user → the items they rated, straight from u.data. */
function trainingItems(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of readFileSync(join(ML100K, 'u.data'), 'utf8').trim().split('\n')) {
    const [u, i] = line.split('\t');
    let s = out.get(u!);
    if (!s) out.set(u!, (s = new Set()));
    s.add(i!);
  }
  return out;
}

function checkList(items: Item[], seen: Set<string>, where: string): void {
  const ids = items.map((i) => i.itemId);
  for (const id of ids) if (seen.has(id)) throw new Error(`${where}: item ${id} was seen by the user`);
  if (new Set(ids).size !== ids.length) throw new Error(`${where}: an item appears twice`);
  for (let i = 1; i < items.length; i++) if (items[i]!.score > items[i - 1]!.score) throw new Error(`${where}: score rises at position ${i} (${items[i - 1]!.score} → ${items[i]!.score})`);
  const firstFill = items.findIndex((i) => i.origin === 'popularity');
  if (firstFill >= 0 && items.slice(firstFill).some((i) => i.origin !== 'popularity')) throw new Error(`${where}: a list item after a filled one`);
}

describe.skipIf(!hasMl100k)('MovieLens 100K: never a seen item', () => {
  const redis = useRedis();
  const cosmos = useCosmos();
  let artifactTable: ReturnType<typeof tableOfArtifact>;
  const servers: RunningServer[] = [];
  let modelsDir = '';
  let training: Map<string, Set<string>>;
  let genres: string[] = [];

  beforeAll(async () => {
    modelsDir = join(mkdtempSync(join(tmpdir(), 'recs-noseen-')), 'models');
    const o = {
      ...structuredClone(DEFAULT_OPTIONS),
      modelsDir,
      dataset: { kind: 'movielens', size: '100k', dir: ML100K },
      evaluate: false,
      beyondAccuracy: 'none',
      als: { ...DEFAULT_OPTIONS.als, rank: 32, maxIter: 8 },
    } as typeof DEFAULT_OPTIONS;
    const r = await train(loadEngine(), o, silentProgress);
    const a = readArtifact(r.dir);
    genres = [...new Set(a.items!.genres.flat())];
    artifactTable = tableOfArtifact(a);
    await loadRedis(redis.client, artifactTable, {});
    training = trainingItems();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  const serve = async (extra: Partial<ServerOptions> = {}): Promise<RunningServer> => {
    const eventsDb = join(mkdtempSync(join(tmpdir(), 'recs-noseen-ev-')), 'events.sqlite');
    const s = await startServer({ modelsDir, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventsDb, reloadPollMs: 60_000, ...extra });
    servers.push(s);
    return s;
  };
  const recs = async (s: RunningServer, user: string, query: string): Promise<{ source: string; items: Item[] }> => {
    const r = await getJson(`${s.url}/v1/users/${user}/recommendations?${query}`);
    if (r.status !== 200) throw new Error(`${user}?${query}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  /** Every user: k = 100 by single GETs, then k = 100 with each genre (batches of 100 users, which answer as the GET does). */
  async function everyUser(s: RunningServer, expectSource: string, seenOf: (u: string) => Set<string>, users = [...training.keys()]): Promise<number> {
    let filled = 0;
    const check = (u: string, q: string, r: { source: string; items: Item[] }) => {
      if (r.source !== expectSource) throw new Error(`user ${u}?${q}: source ${r.source}, expected ${expectSource}`);
      checkList(r.items, seenOf(u), `user ${u}?${q}`);
      filled += r.items.filter((i) => i.origin === 'popularity').length;
    };
    await forEachLimit(users, 8, async (u) => check(u, 'k=100', await recs(s, u, 'k=100')));
    const chunks = Array.from({ length: Math.ceil(users.length / 100) }, (_, i) => users.slice(i * 100, i * 100 + 100));
    const asks = genres.flatMap((genre) => chunks.map((userIds) => ({ genre, userIds })));
    await forEachLimit(asks, 4, async ({ genre, userIds }) => {
      const r = await getJson(`${s.url}/v1/recommendations:batch`, { method: 'POST', body: JSON.stringify({ userIds, k: 100, genre }) });
      if (r.status !== 200) throw new Error(`batch ${genre}: ${r.status} ${JSON.stringify(r.body)}`);
      userIds.forEach((u, i) => check(u, `k=100&genre=${genre}`, r.body.results[i]));
    });
    return filled;
  }

  it('embedded store: every user, k = 100 and every genre; pages repeat nothing', async () => {
    const s = await serve();
    const filled = await everyUser(s, 'precomputed', (u) => training.get(u)!);
    expect(filled).toBeGreaterThan(943 * 70); // the fill ran (k = 100 over 30 stored items), and was checked
    await forEachLimit([...training.keys()].slice(0, 100), 8, async (u) => {
      const all: Item[] = [];
      for (let offset = 0; offset < 1000; offset += 100) all.push(...(await recs(s, u, `k=100&offset=${offset}`)).items);
      checkList(all, training.get(u)!, `user ${u}, pages of 100`);
      expect(all.length).toBe(Math.min(1000, 1682 - training.get(u)!.size));
    });
  }, 300_000);

  it('Redis store: every user, k = 100 and every genre', async () => {
    const cfg = storeConfigFromEnv({ RECS_STORE: 'redis', RECS_REDIS_URL: redis.server.url, RECS_STORE_TIMEOUT_MS: '5000' });
    const s = await serve({ createStore: storeFactory(cfg), storeTimeoutMs: 5_000 });
    for (let i = 0; i < 200 && (await recs(s, '1', 'k=1')).source !== 'precomputed'; i++) await new Promise((r) => setTimeout(r, 10));
    await everyUser(s, 'precomputed', (u) => training.get(u)!);
  }, 300_000);

  it('Cosmos DB store: every user, k = 100 and every genre', async () => {
    const env = { RECS_STORE: 'cosmos', RECS_COSMOS_ENDPOINT: cosmos.server.endpoint, RECS_COSMOS_KEY: 'test-key', RECS_COSMOS_CONTAINER: 'lists', RECS_STORE_TIMEOUT_MS: '10000' };
    const cfg = storeConfigFromEnv(env);
    const client = createCosmosClient({ ...cfg.cosmos, agent: cosmos.server.agent });
    await loadCosmos(await ensureContainer(client, cfg.cosmos), artifactTable, {});
    client.dispose();
    const s = await serve({ createStore: storeFactory(cfg, { agent: cosmos.server.agent }), storeTimeoutMs: 10_000 });
    for (let i = 0; i < 300 && (await recs(s, '1', 'k=1')).source !== 'precomputed'; i++) await new Promise((r) => setTimeout(r, 20));
    await everyUser(s, 'precomputed', (u) => training.get(u)!);
  }, 300_000);

  it('fold-in: after events, neither the events’ items nor the training items come back', async () => {
    const s = await serve();
    const users = [...training.keys()].slice(0, 40);
    const events = new Map<string, Set<string>>();
    for (const u of users) {
      // the user's current top 5: exactly the items a stale list would show again
      const top = (await recs(s, u, 'k=5')).items.map((i) => i.itemId);
      events.set(u, new Set(top));
      const body = top.map((itemId, n) => ({ eventId: `e-${u}-${n}`, userId: u, itemId, type: 'click' }));
      const r = await getJson(`${s.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status).toBe(202);
    }
    for (const u of users) {
      for (let i = 0; i < 400 && (await recs(s, u, 'k=1')).source !== 'foldin'; i++) await new Promise((r) => setTimeout(r, 10));
    }
    await everyUser(s, 'foldin', (u) => new Set([...training.get(u)!, ...events.get(u)!]), users);
  }, 300_000);
});
