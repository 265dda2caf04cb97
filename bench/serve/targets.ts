// Owns the endpoints a serving benchmark run loads, beyond the API on the embedded store and the
// bare endpoint: the API on a remote store and the baseline that store is judged against.
//   redis          API, --store redis, in-process cache off: every request reads Redis (the reads
//                  of one event-loop turn as one MGET, ts/store/redis-batch.ts)
//   redis-cached   API, --store redis, cache on (warmed first: every distinct user requested once)
//   cosmos         API, --store cosmos, cache off, against @vercel/cosmosdb-server (a test double
//                  with full-scan storage: only the first --cosmos-users users are loaded and
//                  requested; its figure bounds the SDK + emulator, not Azure)
//   bare-redis     bare uWS + one ioredis GET per request (started with redis or redis-cached)
// It starts its own redis-server (ts/store/testing/redis-server.ts) and Cosmos test server (a
// child), loads the model's top-k table into them with the project's loaders, and starts one API
// child per configuration.

import { Agent } from 'node:https';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { readArtifact } from '../../ts/model/artifact.js';
import { createCosmosClient, ensureContainer } from '../../ts/store/cosmos-client.js';
import { loadCosmos } from '../../ts/store/cosmos-load.js';
import { tableOfArtifact, type LoadTable } from '../../ts/store/load-table.js';
import { loadRedis } from '../../ts/store/redis-load.js';
import { startRedis, type TestRedis } from '../../ts/store/testing/redis-server.js';
import { current, pinProcess } from './cores.js';
import { startApi, startBareRedis, startCosmosServer, type Running } from './children.js';
import type { BenchModel } from './models.js';
import { recommendationPaths } from './urls.js';
import { forEachLimit } from '../../ts/util/pool.js';

export const STORE_TARGETS = ['redis', 'redis-cached', 'cosmos'] as const;
export type StoreTarget = (typeof STORE_TARGETS)[number];

export interface Endpoint {
  /** 'api', 'bare', 'redis', 'redis-cached', 'cosmos', 'bare-redis' (LoadResult.target). */
  id: string;
  label: string;
  url: string;
  paths: string[];
  /** An API process (its /metrics is read after the run). */
  api: boolean;
  /** The processes whose CPU the endpoint's requests cost (the server, and its store when local). */
  pids: (number | undefined)[];
  /** Request every distinct path once before the load (fills an in-process cache). */
  prewarm?: boolean;
}

export interface StoreEndpoints {
  endpoints: Endpoint[];
  /** One line per backing server, for the report. */
  notes: string[];
  stop(): Promise<void>;
}

export function parseStores(list: string): StoreTarget[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'embedded');
  for (const n of names) if (!(STORE_TARGETS as readonly string[]).includes(n)) throw new Error(`--stores: unknown "${n}"; choose from embedded, ${STORE_TARGETS.join(', ')} (or all)`);
  return [...new Set(names)] as StoreTarget[];
}

export interface StoreEndpointOptions {
  root: string;
  model: BenchModel;
  stores: StoreTarget[];
  apiKey: string | null;
  /** Paths over every known user (redis targets). */
  paths: string[];
  nPaths: number;
  cosmosUsers: number;
  /** In-process cache entries of redis-cached. */
  cacheEntries: number;
  log: (line: string) => void;
}

const PREFIX = 'bench';
/** The test double answers slowly under 200 connections; a long store timeout measures it instead of the fallback. */
const COSMOS_TIMEOUT_MS = 8000;

export async function startStoreEndpoints(o: StoreEndpointOptions): Promise<StoreEndpoints> {
  const children: Running[] = [];
  const endpoints: Endpoint[] = [];
  const notes: string[] = [];
  let redis: TestRedis | null = null;
  const stop = async () => {
    await Promise.all(children.map((c) => c.stop()));
    await redis?.dispose();
  };
  try {
    if (o.stores.length === 0) return { endpoints, notes, stop };
    const table = tableOfArtifact(readArtifact(join(o.model.modelsDir, o.model.version), { verify: false }));
    const wantsRedis = o.stores.filter((s) => s.startsWith('redis'));
    if (wantsRedis.length > 0) {
      redis = await startRedis();
      if (redis.pid !== undefined) pinProcess(redis.pid, current.plan.server); // the store shares the servers' core
      const client = new Redis(redis.url);
      try {
        o.log(`${o.model.name}: loading ${table.userIds.length.toLocaleString('en-US')} users into redis-server at ${redis.url}…`);
        const r = await loadRedis(client, table, { prefix: PREFIX });
        const info = await client.info();
        const version = /redis_version:(\S+)/.exec(info)?.[1];
        const mem = /used_memory_human:(\S+)/.exec(info)?.[1];
        notes.push(
          `redis-server ${version} on loopback (no persistence), ${r.users.toLocaleString('en-US')} users loaded in ${r.seconds.toFixed(1)} s (${Math.round(r.users / r.seconds).toLocaleString('en-US')} users/s), used memory ${mem}`,
        );
        o.log(`  ${notes.at(-1)}`);
      } finally {
        client.disconnect();
      }
      const env = { RECS_STORE: 'redis', RECS_REDIS_URL: redis.url, RECS_REDIS_PREFIX: PREFIX };
      for (const s of wantsRedis) {
        const cached = s === 'redis-cached';
        const api = await startApi(o.root, o.model.modelsDir, o.apiKey, { ...env, RECS_STORE_CACHE_ENTRIES: cached ? String(o.cacheEntries) : '0' }, s);
        children.push(api);
        endpoints.push({
          id: s,
          label: cached ? `API (redis, cache warm, ${o.cacheEntries.toLocaleString('en-US')} entries)` : 'API (redis, cache off)',
          url: api.url,
          paths: o.paths,
          api: true,
          pids: [api.proc.pid, redis.pid],
          ...(cached && { prewarm: true }),
        });
      }
      const bare = await startBareRedis(o.root, redis.url, PREFIX, table.version);
      children.push(bare);
      endpoints.push({ id: 'bare-redis', label: 'bare uWS + ioredis GET', url: bare.url, paths: o.paths, api: false, pids: [bare.proc.pid, redis.pid] });
    }
    if (o.stores.includes('cosmos')) {
      const server = await startCosmosServer(o.root);
      children.push(server);
      const subset = firstUsers(table, o.cosmosUsers);
      const cert = readFileSync(String(server.info['cert']));
      const conn = { endpoint: server.url, auth: 'key' as const, key: 'bench', database: 'recs', container: 'user-recs', agent: new Agent({ ca: cert, keepAlive: true }) };
      const client = createCosmosClient(conn);
      try {
        o.log(`${o.model.name}: loading ${subset.userIds.length.toLocaleString('en-US')} users into @vercel/cosmosdb-server at ${server.url}…`);
        const r = await loadCosmos(await ensureContainer(client, conn), subset);
        notes.push(
          `@vercel/cosmosdb-server 1.0.1 (a test double with full-scan storage, not Azure) in its own process over HTTPS: the first ${r.users.toLocaleString('en-US')} users loaded in ${r.seconds.toFixed(1)} s, ${Math.round(r.requestCharge)} RU; the cosmos row requests only those users (+ 5 % unknown)`,
        );
        o.log(`  ${notes.at(-1)}`);
      } finally {
        client.dispose();
        conn.agent.destroy();
      }
      const api = await startApi(
        o.root,
        o.model.modelsDir,
        o.apiKey,
        {
          RECS_STORE: 'cosmos',
          RECS_COSMOS_ENDPOINT: server.url,
          RECS_COSMOS_AUTH: 'key',
          RECS_COSMOS_KEY: 'bench',
          RECS_STORE_CACHE_ENTRIES: '0',
          RECS_STORE_TIMEOUT_MS: String(COSMOS_TIMEOUT_MS),
          NODE_EXTRA_CA_CERTS: String(server.info['cert']),
        },
        'cosmos-api',
      );
      children.push(api);
      endpoints.push({
        id: 'cosmos',
        label: `API (cosmos test double, ${subset.userIds.length.toLocaleString('en-US')} users, cache off, timeout ${COSMOS_TIMEOUT_MS / 1000} s)`,
        url: api.url,
        paths: recommendationPaths(subset.userIds, o.nPaths).paths,
        api: true,
        pids: [api.proc.pid, server.proc.pid],
      });
    }
    return { endpoints, notes, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function firstUsers(t: LoadTable, n: number): LoadTable {
  const users = Math.min(n, t.userIds.length);
  return { ...t, userIds: t.userIds.slice(0, users), items: t.items.subarray(0, users * t.depth), scores: t.scores.subarray(0, users * t.depth) };
}

/** Requests each distinct path of `e` once, `concurrency` at a time; all must answer 200. */
export async function prewarm(e: Endpoint, headers: Record<string, string> | undefined, concurrency = 64): Promise<number> {
  const distinct = [...new Set(e.paths)];
  await forEachLimit(distinct, concurrency, async (path) => {
    const r = await fetch(e.url + path, headers ? { headers } : {});
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${e.id}: warming the cache, GET ${path} → ${r.status}`);
  });
  return distinct.length;
}
