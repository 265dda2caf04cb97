// The answer cache against the answers it stands in for, on a real server over the fixture model:
// a repeated GET answers byte for byte what the batch route (which never uses the cache) answers,
// but with its own recommendationId and generatedAt; a hidden item, an erased user, a fold-in and
// a new model version each change the next answer at once. The cache's own bookkeeping (its byte
// bound, a catalogue generation or catalog that moved) is checked directly.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRegistry } from '../model/registry.js';
import { AnswerCache } from './answer-cache.js';
import type { Catalog } from './catalog.js';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, fixtureRegistry, getJson, waitFor, writeFixture } from './testing/fixtures.js';

let server: RunningServer;
let registry: LocalRegistry;
beforeAll(async () => {
  registry = fixtureRegistry('v1');
  const eventsDb = join(mkdtempSync(join(tmpdir(), 'recs-answer-cache-')), 'events.sqlite');
  server = await startServer({ modelsDir: registry.root, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventsDb, reloadPollMs: 50, catalogueSyncMs: 50 });
});
afterAll(() => server.close());

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const get = (user: string, query = '') => getJson(`${server.url}/v1/users/${user}/recommendations${query}`);
const strip = ({ generatedAt: _, recommendationId: __, ...rest }: Record<string, unknown>) => rest;
const ids = (body: { items: { itemId: string }[] }) => body.items.map((i) => i.itemId);

describe('the answer cache on a real server', () => {
  it('answers a repeated GET as the uncached batch route does, each time with a new recommendationId', async () => {
    const queries: [string, Record<string, unknown>][] = [
      ['', {}],
      ['?k=3', { k: 3 }],
      ['?k=4&offset=2', { k: 4, offset: 2 }],
      ['?genre=Drama&exclude=i4', { genre: 'Drama', exclude: ['i4'] }],
    ];
    const users = Array.from({ length: 20 }, (_, u) => `u${u}`);
    const seenIds = new Set<string>();
    for (const [query, fields] of queries) {
      const batch = await getJson(`${server.url}/v1/recommendations:batch`, json('POST', { userIds: users, ...fields }));
      expect(batch.status).toBe(200);
      for (const [i, u] of users.entries()) {
        for (let n = 0; n < 3; n++) {
          const r = await get(u, query);
          expect(r.status).toBe(200);
          expect(strip(r.body)).toEqual(strip(batch.body.results[i]));
          expect(Date.parse(r.body.generatedAt)).toBeGreaterThan(Date.now() - 60_000);
          seenIds.add(r.body.recommendationId);
        }
      }
    }
    expect(seenIds.size).toBe(queries.length * users.length * 3);
  });

  it('drops a hidden item from a cached answer at once, and brings it back', async () => {
    const before = ids((await get('u3', '?k=3')).body);
    expect(ids((await get('u3', '?k=3')).body)).toEqual(before);
    expect((await getJson(`${server.url}/v1/items/${before[0]}`, { method: 'DELETE' })).status).toBe(200);
    const hidden = ids((await get('u3', '?k=3')).body);
    expect(hidden).not.toContain(before[0]);
    expect(hidden.slice(0, 2)).toEqual(before.slice(1));
    expect((await getJson(`${server.url}/v1/items/${before[0]}`, json('PATCH', { available: true }))).status).toBe(200);
    expect((await getJson(`${server.url}/v1/items/${before[0]}`, json('PUT', { title: 'back' }))).status).toBe(200);
    expect(ids((await get('u3', '?k=3')).body)).toEqual(before);
  });

  it('answers a folded-in user and an erased user afresh', async () => {
    await get('u5');
    expect((await get('u5')).body.source).toBe('precomputed');
    await getJson(`${server.url}/v1/events`, json('POST', { eventId: 'cache-e1', userId: 'u5', itemId: 'i9', type: 'click' }));
    await waitFor('the fold-in', async () => (await get('u5')).body.source === 'foldin');
    expect(ids((await get('u5')).body)).not.toContain('i9');
    await get('u7');
    expect((await get('u7')).body.source).toBe('precomputed');
    expect((await getJson(`${server.url}/v1/users/u7`, { method: 'DELETE' })).status).toBe(200);
    expect((await get('u7')).body).toMatchObject({ source: 'fallback' });
  });

  it('answers from a new model version once it serves', async () => {
    const before = await get('u2', '?k=2');
    expect((await get('u2', '?k=2')).body.items).toEqual(before.body.items);
    writeFixture(registry, 'v2', { shift: 0.5 });
    registry.activate('v2');
    await waitFor('v2 serving', async () => (await get('u2', '?k=2')).body.modelVersion === 'v2');
    const after = (await get('u2', '?k=2')).body;
    expect(after.items.map((i: { score: number }) => i.score)).toEqual(before.body.items.map((i: { score: number }) => i.score + 0.5));
  });
});

describe('AnswerCache', () => {
  const catalog = (generation = 0) => ({ generation }) as Catalog;
  const body = (n: number, fill: string) => Buffer.from(`{"x":"${fill.repeat(n)}","recommendationId":"${'0'.repeat(32)}","generatedAt":"2026-01-01T00:00:00.000Z"}`);

  it('serves an entry for its query, user, catalog and catalogue generation only', () => {
    const cache = new AnswerCache(1 << 20);
    const q = {};
    const c = catalog();
    cache.put(q, 'u1', c, 7, body(10, 'a'));
    const hit = cache.get(q, 'u1', c, 7)!;
    expect(JSON.parse(hit.toString()).x).toBe('a'.repeat(10));
    expect(JSON.parse(hit.toString()).recommendationId).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(hit.toString()).recommendationId).not.toBe('0'.repeat(32));
    expect(cache.get({}, 'u1', c, 7)).toBeNull();
    expect(cache.get(q, 'u2', c, 7)).toBeNull();
    expect(cache.get(q, 'u1', catalog(), 7)).toBeNull();
    expect(cache.get(q, 'u1', c, 8)).toBeNull();
    c.generation++;
    expect(cache.get(q, 'u1', c, 7)).toBeNull();
  });

  it('keeps a copy (the built body may be reused) and starts over when full', () => {
    const cache = new AnswerCache(1500);
    const q = {};
    const c = catalog();
    const b = body(400, 'a');
    cache.put(q, 'u1', c, 0, b);
    b.fill(0x20);
    expect(JSON.parse(cache.get(q, 'u1', c, 0)!.toString()).x).toBe('a'.repeat(400));
    cache.put(q, 'u1', c, 0, body(400, 'b')); // replaces: still one entry
    cache.put(q, 'u2', c, 0, body(400, 'c'));
    expect(cache.size).toBeLessThanOrEqual(1500);
    expect(cache.get(q, 'u1', c, 0)).not.toBeNull();
    cache.put(q, 'u3', c, 0, body(400, 'd')); // over the bound: starts over with u3
    expect(cache.get(q, 'u1', c, 0)).toBeNull();
    expect(JSON.parse(cache.get(q, 'u3', c, 0)!.toString()).x).toBe('d'.repeat(400));
    cache.put(q, 'big', c, 0, body(3000, 'e')); // larger than the bound: not kept
    expect(cache.get(q, 'big', c, 0)).toBeNull();
    expect(cache.size).toBeLessThanOrEqual(1500);
  });
});
