// HTTP tests of every endpoint and error path against a real server (startServer on port 0,
// real fetch / node:http), over the small fixture model of ./testing/fixtures.ts.

import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRegistry } from '../model/registry.js';
import { EmbeddedStore } from '../store/embedded.js';
import { StoreError } from '../store/types.js';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, corrupt, fixtureRegistry, getJson, writeFixture } from './testing/fixtures.js';

let server: RunningServer;
let base: string;
const logs = capturedLogger();

beforeAll(async () => {
  const registry = fixtureRegistry('v1');
  server = await startServer({ modelsDir: registry.root, port: 0, logger: logs.log, loadMode: 'inline' });
  base = server.url;
});
afterAll(() => server.close());

const recs = (user: string, query = '') => getJson(`${base}/v1/users/${user}/recommendations${query}`);
const ids = (body: { items: { itemId: string }[] }) => body.items.map((i) => i.itemId);

/** A raw HTTP/1.1 request (method, headers and body as given). */
function raw(method: string, path: string, headers: Record<string, string | number>, body?: Buffer, chunked = false): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers: { ...headers, ...(chunked && { 'transfer-encoding': 'chunked' }) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), headers: res.headers }));
    });
    req.on('error', reject);
    if (body && chunked) for (let i = 0; i < body.length; i += 1000) req.write(body.subarray(i, i + 1000));
    req.end(chunked ? undefined : body);
  });
}

describe('probes and documents', () => {
  it('GET /healthz', async () => {
    expect(await getJson(`${base}/healthz`)).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('GET /readyz names the model', async () => {
    const r = await getJson(`${base}/readyz`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ready', modelVersion: 'v1', store: 'embedded' });
  });

  it('GET /openapi.json serves the repository file', async () => {
    const r = await getJson(`${base}/openapi.json`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'openapi.json'), 'utf8')));
  });
});

describe('GET /v1/users/{userId}/recommendations', () => {
  it('answers a known user from the precomputed list', async () => {
    const r = await recs('u3', '?k=3');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.body).toMatchObject({ userId: 'u3', modelVersion: 'v1', source: 'precomputed', filledFromFallback: 0 });
    expect(r.body.items).toEqual([
      { itemId: 'i4', title: 'Item 4', genres: ['Drama'], score: 1 },
      { itemId: 'i6', title: 'Item 6', genres: ['Comedy'], score: 0.99 },
      { itemId: 'i8', title: 'Item 8', genres: ['Horror'], score: 0.98 },
    ]);
    expect(r.body.fallbackReason).toBeUndefined();
    expect(Date.parse(r.body.generatedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('gives every answer its own recommendationId (32 hex digits), similar items too', async () => {
    const answers = [await recs('u3', '?k=3'), await recs('u3', '?k=3'), await recs('nobody'), await recs('u3', '?genre=Drama&offset=1'), await getJson(`${base}/v1/items/i5/similar?k=4`)];
    const got = answers.map((r) => r.body.recommendationId as string);
    for (const id of got) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(got).size).toBe(got.length);
  });

  it('defaults to k = 10, filling from the popularity list past the stored depth, minus what the user has seen', async () => {
    const r = await recs('u3');
    // u3 trained on i3, i5, i7: i3 is the 4th most popular, skipped
    expect(ids(r.body)).toEqual(['i4', 'i6', 'i8', 'i10', 'i12', 'i14', 'i0', 'i1', 'i2', 'i9']);
    expect(r.body.filledFromFallback).toBe(4);
    // one scale, never increasing: a filled item scores last − (1 − count / top count)
    const scores = r.body.items.map((i: { score: number }) => i.score);
    expect(scores.slice(5)).toEqual([0.95, 0.95, expect.closeTo(0.95 - 1 / 30, 5), expect.closeTo(0.95 - 2 / 30, 5), expect.closeTo(0.95 - 9 / 30, 5)]);
    expect(r.body.items.map((i: { origin?: string }) => i.origin ?? 'list')).toEqual([...Array(6).fill('list'), ...Array(4).fill('popularity')]);
  });

  it('answers an unknown user with the popularity list, never a 404 or an empty list', async () => {
    const r = await recs('nobody', '?k=3');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ userId: 'nobody', source: 'fallback', fallbackReason: 'unknown_user', filledFromFallback: 0 });
    expect(r.body.items[0]).toEqual({ itemId: 'i0', title: 'Item 0', genres: ['Comedy', 'Drama'], score: 1 });
    expect(r.body.items[1]).toEqual({ itemId: 'i1', genres: ['Drama'], score: Math.round((29 / 30) * 1e6) / 1e6 });
    expect(ids(r.body)).toEqual(['i0', 'i1', 'i2']);
  });

  it('escapes ids in the answer (a worst case for the body size)', async () => {
    const id = '"\\'.repeat(128);
    const r = await recs(encodeURIComponent(id), '?k=100');
    expect(r.status).toBe(200);
    expect(r.body.userId).toBe(id);
    expect(r.body.items).toHaveLength(30);
  });

  it('decodes percent-encoded ids', async () => {
    const r = await recs('%E2%82%AC%20x', '?k=1');
    expect(r.body.userId).toBe('€ x');
  });

  it('excludes items', async () => {
    const r = await recs('u3', '?k=3&exclude=i4,i8,unknown-item');
    expect(ids(r.body)).toEqual(['i6', 'i10', 'i12']);
  });

  it('filters by genre (case-insensitive) and fills from the fallback list, saying how many', async () => {
    const r = await recs('u3', '?k=4&genre=drama');
    expect(ids(r.body)).toEqual(['i4', 'i10', 'i0', 'i1']);
    expect(r.body).toMatchObject({ source: 'precomputed', filledFromFallback: 2 });
  });

  it('combines both filters, for unknown users too', async () => {
    const r = await recs('nobody', '?k=2&genre=Drama&exclude=i0');
    expect(ids(r.body)).toEqual(['i1', 'i4']);
    expect(r.body.source).toBe('fallback');
  });

  it('fills a short stored list', async () => {
    const r = await recs('u19', '?k=5');
    expect(ids(r.body)).toEqual(['i20', 'i22', 'i0', 'i1', 'i2']);
    expect(r.body.filledFromFallback).toBe(3);
  });

  it('serves k up to the limit, at most every item', async () => {
    const r = await recs('u3', '?k=100');
    expect(r.body.items).toHaveLength(27);
    expect(new Set(ids(r.body)).size).toBe(27);
    expect(ids(r.body)).not.toContain('i3');
  });

  it.each([
    ['?k=0', /k must be from 1 to 100, got 0/],
    ['?k=101', /k must be from 1 to 100, got 101/],
    ['?k=abc', /k must be a whole number/],
    ['?k=1.5', /k must be a whole number/],
    ['?k=-1', /k must be a whole number/],
    ['?k=', /k must be a whole number/],
    ['?k=2&k=3', /given more than once/],
    ['?limit=3', /unknown query parameter "limit"; allowed: k, offset, exclude, genre/],
    ['?offset=-1', /offset must be a whole number from 0 to 990/],
    ['?offset=1.5', /offset must be a whole number/],
    ['?k=100&offset=901', /offset \+ k must be at most 1000, got 901 \+ 100/],
    ['?genre=Western', /unknown genre "Western"; known genres: Comedy, Drama, Horror/],
    ['?genre=', /genre is empty/],
    [`?exclude=${Array.from({ length: 101 }, (_, i) => `i${i}`).join(',')}`, /exclude lists 101 ids; the limit is 100/],
    [`?exclude=${'x'.repeat(257)}`, /an id in exclude is 257 characters long; the limit is 256/],
    ['?k=%zz', /not valid percent-encoding/],
  ])('400 for %s', async (query, message) => {
    const r = await recs('u3', query);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'bad_request', status: 400 });
    expect(r.body.message).toMatch(message);
  });

  it('pages with offset: pages concatenate to the whole answer, never repeating an item, scores never increasing', async () => {
    for (const [user, query] of [
      ['u3', ''],
      ['u3', '&genre=Drama'],
      ['u19', ''],
      ['nobody', ''],
    ] as const) {
      const whole = await recs(user, `?k=40${query}`);
      const pages: any[] = [];
      for (let offset = 0; offset < 40; offset += 7) {
        const p = await recs(user, `?k=7&offset=${offset}${query}`);
        expect(p.status).toBe(200);
        if (offset > 0) expect(p.body.offset).toBe(offset);
        pages.push(...p.body.items);
      }
      expect(pages).toEqual(whole.body.items);
      expect(new Set(pages.map((i) => i.itemId)).size).toBe(pages.length);
      for (let i = 1; i < pages.length; i++) expect(pages[i].score).toBeLessThanOrEqual(pages[i - 1].score);
    }
    const past = await recs('u3', '?k=5&offset=500');
    expect(past.body).toMatchObject({ items: [], offset: 500, filledFromFallback: 0 });
  });

  it('400 for a user id over the length limit, not for one at it', async () => {
    const long = await recs('x'.repeat(257));
    expect(long.status).toBe(400);
    expect(long.body.message).toMatch(/userId is 257 characters long; the limit is 256/);
    expect((await recs('x'.repeat(256))).status).toBe(200);
  });

  it('400 for a bad percent-encoding or a control character in the id', async () => {
    expect((await recs('%E2%82')).body.message).toMatch(/userId is not valid percent-encoding/);
    expect((await recs('a%0Ab')).body.message).toMatch(/userId holds control characters/);
  });
});

describe('GET /v1/items/{itemId}/similar', () => {
  it('returns the most cosine-similar items, the item itself excluded', async () => {
    const r = await getJson(`${base}/v1/items/i5/similar?k=4`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ itemId: 'i5', modelVersion: 'v1' });
    expect(ids(r.body).slice(0, 2).sort()).toEqual(['i4', 'i6']);
    expect(ids(r.body).slice(2).sort()).toEqual(['i3', 'i7']);
    expect(r.body.items[0].score).toBeGreaterThan(r.body.items[3].score);
    expect(r.body.items[0].score).toBeLessThanOrEqual(1);
  });

  it('defaults to k = 10', async () => {
    expect((await getJson(`${base}/v1/items/i0/similar`)).body.items).toHaveLength(10);
  });

  it('404 for an unknown item, 400 for a bad k', async () => {
    const r = await getJson(`${base}/v1/items/nope/similar`);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: 'item_not_found', status: 404 });
    expect((await getJson(`${base}/v1/items/i1/similar?k=1000`)).status).toBe(400);
  });
});

describe('routing and request errors', () => {
  it.each(['/nope', '/v1/users/u1/extra', '/v1/users/u1/recommendations/extra', '/v2/users/u1/recommendations'])('404 JSON for %s', async (path) => {
    const r = await getJson(`${base}${path}`);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: 'not_found', status: 404 });
    expect(r.body.message).toContain('no route for GET');
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('405 JSON with Allow for %s', async (method) => {
    const r = await getJson(`${base}/v1/users/u1/recommendations`, { method });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(r.body).toMatchObject({ error: 'method_not_allowed', status: 405 });
    expect((await getJson(`${base}/healthz`, { method })).status).toBe(405);
  });

  it('413 JSON for a body over the limit (Content-Length)', async () => {
    const r = await raw('PUT', '/v1/users/u1/recommendations', { 'content-length': 10_000 }, Buffer.alloc(10_000, 120));
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: 'payload_too_large', status: 413 });
    expect(r.headers['connection']).toBe('close');
  });

  it('413 JSON for a chunked body over the limit', async () => {
    const r = await raw('GET', '/v1/users/u1/recommendations', {}, Buffer.alloc(10_000, 120), true);
    expect(r.status).toBe(413);
    expect(r.body.message).toMatch(/limited to 4096 bytes/);
  });

  it('a small body is read and ignored', async () => {
    expect((await raw('GET', '/v1/users/u1/recommendations?k=1', { 'content-length': 5 }, Buffer.from('hello'))).status).toBe(200);
    expect((await raw('GET', '/v1/users/u1/recommendations?k=1', {}, Buffer.from('hello'), true)).status).toBe(200);
  });
});

describe('GET /metrics', () => {
  it('exposes durations per route and status, sources, the model and store errors', async () => {
    await recs('u1');
    await recs('nobody');
    await recs('u1', '?k=0');
    const r = await fetch(`${base}/metrics`);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    expect(text).toMatch(/^recs_http_request_duration_seconds_bucket\{route="\/v1\/users\/\{userId\}\/recommendations",status="200",le="0\.001"\} \d+$/m);
    expect(text).toMatch(/^recs_http_request_duration_seconds_count\{route="\/v1\/users\/\{userId\}\/recommendations",status="400"\} [1-9]\d*$/m);
    expect(text).toMatch(/^recs_http_request_duration_seconds_count\{route="unmatched",status="404"\} [1-9]\d*$/m);
    expect(text).toMatch(/^recs_recommendations_total\{source="precomputed"\} [1-9]\d*$/m);
    expect(text).toMatch(/^recs_recommendations_total\{source="fallback"\} [1-9]\d*$/m);
    expect(text).toMatch(/^recs_model_info\{version="v1",store="embedded"\} 1$/m);
    expect(text).toContain('# TYPE recs_store_errors_total counter');
    expect(text).toMatch(/^recs_http_requests_in_flight 1$/m);
  });
});

describe('stores and model states', () => {
  it('answers from the fallback list while the store fails, counting and logging the errors', async () => {
    const { log, lines } = capturedLogger();
    const registry = fixtureRegistry('v1');
    let calls = 0;
    const s = await startServer({
      modelsDir: registry.root,
      port: 0,
      logger: log,
      loadMode: 'inline',
      // a remote-like store (no synchronous peek) that fails in two ways, then an in-process one whose peek throws
      createStore: (p) => ({
        kind: 'flaky',
        modelVersion: p.manifest.version,
        depth: p.table.depth,
        get: () => (++calls % 2 ? Promise.reject(new StoreError('redis down', 'unavailable')) : Promise.reject(new Error('boom'))),
        close: async () => {},
      }),
    });
    const t = await startServer({
      modelsDir: registry.root,
      port: 0,
      logger: log,
      loadMode: 'inline',
      createStore: (p) =>
        Object.assign(Object.create(new EmbeddedStore(p.table)) as EmbeddedStore, {
          peek: () => {
            throw new StoreError('corrupt row', 'corrupt');
          },
        }),
    });
    try {
      const a = await getJson(`${s.url}/v1/users/u3/recommendations?k=2`);
      const b = await getJson(`${s.url}/v1/users/u3/recommendations?k=2`);
      const c = await getJson(`${t.url}/v1/users/u3/recommendations?k=2`);
      for (const r of [a, b, c]) {
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ source: 'fallback', fallbackReason: 'store_error', degraded: true });
        expect(ids(r.body)).toEqual(['i0', 'i1']);
      }
      const text = await (await fetch(`${s.url}/metrics`)).text();
      expect(text).toContain('recs_store_errors_total{store="flaky",reason="unavailable"} 1');
      expect(text).toContain('recs_store_errors_total{store="flaky",reason="error"} 1');
      expect(await (await fetch(`${t.url}/metrics`)).text()).toContain('recs_store_errors_total{store="embedded",reason="corrupt"} 1');
      expect(lines().some((l) => l['msg'] === 'store lookup failed; answered from the fallback list' && l['level'] === 50)).toBe(true);
    } finally {
      await Promise.all([s.close(), t.close()]);
    }
  });

  it('starts without an active model (503 until one is activated), then serves it', async () => {
    const registry = new LocalRegistry(join(fixtureRegistry('v0').root, '..', 'empty-models'));
    const s = await startServer({ modelsDir: registry.root, port: 0, logger: capturedLogger().log, loadMode: 'inline', reloadPollMs: 60_000 });
    try {
      const ready = await getJson(`${s.url}/readyz`);
      expect(ready).toMatchObject({ status: 503, body: { status: 'not_ready', reason: 'no model loaded' } });
      const r = await getJson(`${s.url}/v1/users/u1/recommendations`);
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ error: 'not_ready' });
      expect(r.headers.get('retry-after')).toBe('5');
      writeFixture(registry, 'v1');
      registry.activate('v1');
      expect(await s.reload()).toBe('loaded');
      expect((await getJson(`${s.url}/readyz`)).body.modelVersion).toBe('v1');
    } finally {
      await s.close();
    }
  });

  it('refuses to start on a corrupt active model', async () => {
    const registry = fixtureRegistry('v1');
    corrupt(registry.versionDir('v1'));
    const { log, lines } = capturedLogger();
    await expect(startServer({ modelsDir: registry.root, port: 0, logger: log, loadMode: 'inline' })).rejects.toThrow(/did not load/);
    expect(lines().find((l) => l['level'] === 50)?.['err']).toMatchObject({ message: expect.stringMatching(/topk-items\.u32: checksum mismatch/) });
  });
});
