// The repository's openapi.json against real responses: every documented (path, status) pair is
// produced by a real request and its body validated with Ajv (JSON Schema 2020-12, the dialect of
// OpenAPI 3.1) against the documented schema, and every response seen is documented.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '../events/open.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRegistry } from '../model/registry.js';
import { EmbeddedStore } from '../store/embedded.js';
import { StoreError } from '../store/types.js';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, fixtureRegistry } from './testing/fixtures.js';
import { localBook } from '../model/experiments/book.js';
import { newExperiment, parseVariants } from '../model/experiments/definition.js';

type Json = Record<string, any>;
const doc = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'openapi.json'), 'utf8')) as Json;
const KEY = 'openapi-test-key-0123456789';
/** A key that may only erase (403 elsewhere), and one that may only read (403 for events). */
const ADMIN_ONLY = 'openapi-admin-key-0123456789';
const READ_ONLY = 'openapi-read-key-0123456789';

const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s) && !Number.isNaN(Date.parse(s)));
/** Component refs "#/components/schemas/X" become plain schema ids "X". */
const localRefs = (s: unknown): unknown => JSON.parse(JSON.stringify(s).replace(/"#\/components\/schemas\/(\w+)"/g, '"$1"'));
for (const [name, schema] of Object.entries(doc['components'].schemas as Json)) ajv.addSchema(localRefs(schema) as Json, name);

let server: RunningServer;
let metricsServer: RunningServer;
let emptyServer: RunningServer;
/** A server whose store cannot erase (DELETE /v1/users/{id} → 503). */
let eraseFailsServer: RunningServer;
/** A server whose event store always holds a newer change of an item (PUT/PATCH/DELETE /v1/items/{id} → 409). */
let itemRaceServer: RunningServer;

beforeAll(async () => {
  const registry = fixtureRegistry('v1');
  // an experiment runs: answers carry experiment and variant (a popularity variant among them)
  await localBook(registry.root).update(() => ({ list: [newExperiment({ name: 'oa', variants: parseVariants('model=v1:0.5,pop=popularity:0.5') }, ['v1'], [], new Date(), 'oa')], result: null }));
  const logger = capturedLogger().log;
  server = await startServer({ modelsDir: registry.root, port: 0, logger, loadMode: 'inline', apiKeys: [`${KEY}:read+events+admin`, `${ADMIN_ONLY}:admin`, `${READ_ONLY}:read`] });
  metricsServer = await startServer({ modelsDir: registry.root, port: 0, logger, loadMode: 'inline', apiKeys: [KEY], protectMetrics: true });
  emptyServer = await startServer({ modelsDir: new LocalRegistry(join(registry.root, '..', 'none')).root, port: 0, logger, loadMode: 'inline', reloadPollMs: 60_000 });
  const eraseFails = (p: Parameters<NonNullable<Parameters<typeof startServer>[0]['createStore']>>[0]) =>
    Object.assign(new EmbeddedStore(p.table), { erase: () => Promise.reject(new StoreError('store down', 'unavailable')) });
  eraseFailsServer = await startServer({ modelsDir: registry.root, port: 0, logger, loadMode: 'inline', createStore: eraseFails });
  const racing = Object.assign(await openEventStore({ kind: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'recs-openapi-')), 'events.sqlite') }), { putItems: () => Promise.resolve(0) });
  itemRaceServer = await startServer({ modelsDir: registry.root, port: 0, logger, loadMode: 'inline', eventStore: racing });
});
afterAll(async () => {
  await Promise.all([server, metricsServer, emptyServer, eraseFailsServer, itemRaceServer].map((s) => s.close()));
});

const auth = { 'x-api-key': KEY };
const post = (body: unknown, headers: Record<string, string> = auth): RequestInit => ({
  method: 'POST',
  headers: { ...headers, 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const click = { eventId: 'oa-1', userId: 'oa-user', itemId: 'i2', type: 'click' };
/** The operation documented for a path and method (the path's first one for other methods: their 405s; undefined when the path is not documented). */
const operation = (path: string, method = 'get'): Json => ((doc['paths'][path] ?? {}) as Json)[method] ?? (Object.values((doc['paths'][path] ?? {}) as Json)[0] as Json);
/** The method of the operation that documents `method` on `path`. */
const documentedMethod = (path: string, method: string): string => (method in ((doc['paths'][path] ?? {}) as Json) ? method : Object.keys((doc['paths'][path] ?? {}) as Json)[0]!);
const send = (method: string, body: unknown, headers: Record<string, string> = auth): RequestInit => ({
  method,
  headers: { ...headers, 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
/** [documented path, server, request path, init] */
const cases: [string, () => RunningServer, string, RequestInit?][] = [
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations?k=3', { headers: auth }],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations?k=20&genre=Drama&exclude=i4', { headers: auth }],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/stranger/recommendations', { headers: auth }],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations?k=0', { headers: auth }],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations'],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations', { method: 'DELETE' }],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations', { method: 'DELETE', body: 'x'.repeat(5000), headers: auth }],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations', { method: 'POST', body: 'x'.repeat(5000), headers: auth }],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations', post({ k: 5, exclude: ['i4', 'nope'], where: "category in ('Drama')", promote: { items: ['i9'], from: 1 } })],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations', post('x'.repeat((1 << 20) + 1))],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations', post({}, {})],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations', post({}, { 'x-api-key': ADMIN_ONLY })],
  ['/v1/users/{userId}/recommendations', () => emptyServer, '/v1/users/u3/recommendations', post({})],
  ['/v1/users/{userId}/recommendations', () => server, `/v1/users/u3/recommendations?k=30&where=${encodeURIComponent('not genre_free or true')}`, { headers: auth }],
  ['/v1/users/{userId}/recommendations', () => server, `/v1/users/u3/recommendations?k=30&where=${encodeURIComponent("itemId in ('i2', 'i5')")}`, { headers: auth }],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations?k=8&diversity=0.4&maxPerCategory=2', { headers: auth }],
  ['/v1/users/{userId}/recommendations', () => emptyServer, '/v1/users/u3/recommendations'],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations?k=5&offset=4', { headers: auth }],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u3/recommendations', { headers: { 'x-api-key': ADMIN_ONLY } }],
  ['/v1/recommendations:batch', () => server, '/v1/recommendations:batch', post({ userIds: ['u3', 'stranger'], k: 12, genre: 'Drama' })],
  ['/v1/recommendations:batch', () => server, '/v1/recommendations:batch', post({ userIds: [] })],
  ['/v1/recommendations:batch', () => server, '/v1/recommendations:batch', post({ userIds: ['u3'] }, {})],
  ['/v1/recommendations:batch', () => server, '/v1/recommendations:batch', post({ userIds: ['u3'] }, { 'x-api-key': ADMIN_ONLY })],
  ['/v1/recommendations:batch', () => server, '/v1/recommendations:batch', { headers: auth }],
  ['/v1/recommendations:batch', () => server, '/v1/recommendations:batch', post('x'.repeat(70_000))],
  ['/v1/recommendations:batch', () => emptyServer, '/v1/recommendations:batch', post({ userIds: ['u3'] })],
  ['/v1/items/{itemId}/similar', () => server, '/v1/items/i2/similar?k=5', { headers: auth }],
  ['/v1/items/{itemId}/similar', () => server, '/v1/items/i2/similar?k=x', { headers: auth }],
  ['/v1/items/{itemId}/similar', () => server, '/v1/items/i2/similar'],
  ['/v1/items/{itemId}/similar', () => server, '/v1/items/zz/similar', { headers: auth }],
  ['/v1/items/{itemId}/similar', () => server, '/v1/items/i2/similar', { method: 'PUT' }],
  ['/v1/items/{itemId}/similar', () => server, '/v1/items/i2/similar', { method: 'POST', body: 'x'.repeat(5000) }],
  ['/v1/items/{itemId}/similar', () => emptyServer, '/v1/items/i2/similar'],
  ['/healthz', () => server, '/healthz'],
  ['/readyz', () => server, '/readyz'],
  ['/readyz', () => emptyServer, '/readyz'],
  ['/metrics', () => server, '/metrics'],
  ['/metrics', () => metricsServer, '/metrics'],
  ['/openapi.json', () => server, '/openapi.json'],
  ['/', () => server, '/'],
  ['/demo/model.bin', () => server, '/demo/model.bin'],
  ['/demo/model.bin', () => server, '/demo/model.bin', { headers: { 'if-none-match': '"demo-v1"' } }],
  ['/demo/model.bin', () => emptyServer, '/demo/model.bin'],
  ['/v1/events', () => server, '/v1/events', post(click)],
  ['/v1/events', () => server, '/v1/events', post({ ...click, itemId: 'i3' })],
  ['/v1/events', () => server, '/v1/events', post('{not json')],
  ['/v1/events', () => server, '/v1/events', post([click, { ...click, type: 'poke' }])],
  ['/v1/events', () => server, '/v1/events', post(click, {})],
  ['/v1/events', () => server, '/v1/events', post(click, { 'x-api-key': READ_ONLY })],
  ['/v1/events', () => server, '/v1/events', { headers: auth }],
  ['/v1/events', () => server, '/v1/events', post('x'.repeat((1 << 20) + 1))],
  ['/v1/impressions', () => server, '/v1/impressions', post({ recommendationId: 'a'.repeat(32), userId: 'u1', items: [{ itemId: 'i1', position: 0 }] })],
  ['/v1/impressions', () => server, '/v1/impressions', post([{ recommendationId: 'x', userId: 'u1', items: [] }])],
  ['/v1/impressions', () => server, '/v1/impressions', post('{not json')],
  ['/v1/impressions', () => server, '/v1/impressions', post({}, {})],
  ['/v1/impressions', () => server, '/v1/impressions', post({}, { 'x-api-key': READ_ONLY })],
  ['/v1/impressions', () => server, '/v1/impressions', { headers: auth }],
  ['/v1/impressions', () => server, '/v1/impressions', post('x'.repeat((1 << 20) + 1))],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u1/recommendations', { headers: auth }],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u2/recommendations', { headers: auth }],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/u4/recommendations', { headers: auth }],
  ['/v1/users/{userId}/recommendations', () => server, '/v1/users/oa-user/recommendations', { headers: auth }],
  ['/v1/users/{userId}', () => server, '/v1/users/oa-user', { method: 'DELETE', headers: auth }],
  ['/v1/users/{userId}', () => server, `/v1/users/${'x'.repeat(300)}`, { method: 'DELETE', headers: auth }],
  ['/v1/users/{userId}', () => server, '/v1/users/oa-user', { method: 'DELETE' }],
  ['/v1/users/{userId}', () => server, '/v1/users/oa-user', { method: 'DELETE', headers: { 'x-api-key': READ_ONLY } }],
  ['/v1/users/{userId}', () => eraseFailsServer, '/v1/users/u3', { method: 'DELETE' }],
  ['/v1/users/{userId}', () => server, '/v1/users/oa-user', { headers: auth }],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', send('PUT', { title: 'T', categories: ['Drama'], attributes: { price: 3, brand: 'b' }, launchAt: '2020-01-01T00:00:00Z' })],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', send('PATCH', { available: false, attributes: { brand: null } })],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', { headers: auth }],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', { method: 'DELETE', headers: auth }],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-none', { headers: auth }],
  ['/v1/items/{itemId}', () => server, `/v1/items/${'x'.repeat(300)}`, { headers: auth }],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', { method: 'POST', headers: auth }],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item'],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', send('PUT', { available: 'yes' })],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', send('PUT', '{bad')],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', send('PUT', {}, {})],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', send('PUT', {}, { 'x-api-key': READ_ONLY })],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', send('PUT', 'x'.repeat(70_000))],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', send('PATCH', { title: 5 })],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', send('PATCH', {}, {})],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', send('PATCH', {}, { 'x-api-key': READ_ONLY })],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', send('PATCH', 'x'.repeat(70_000))],
  ['/v1/items/{itemId}', () => server, `/v1/items/${'x'.repeat(300)}`, { method: 'DELETE', headers: auth }],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', { method: 'DELETE' }],
  ['/v1/items/{itemId}', () => server, '/v1/items/oa-item', { method: 'DELETE', headers: { 'x-api-key': READ_ONLY } }],
  ['/v1/items/{itemId}', () => itemRaceServer, '/v1/items/oa-item', send('PUT', {})],
  ['/v1/items/{itemId}', () => itemRaceServer, '/v1/items/oa-item', send('PATCH', {})],
  ['/v1/items/{itemId}', () => itemRaceServer, '/v1/items/oa-item', { method: 'DELETE' }],
];

describe('openapi.json', () => {
  it('is OpenAPI 3.1 with resolvable schema references', () => {
    expect(doc['openapi']).toMatch(/^3\.1\.\d+$/);
    for (const name of Object.keys(doc['components'].schemas)) expect(ajv.getSchema(name)).toBeTypeOf('function');
  });

  it('matches every real response, and every documented response is produced', async () => {
    const covered = new Set<string>();
    for (const [path, s, url, init] of cases) {
      const r = await fetch(`${s().url}${url}`, init);
      const method = documentedMethod(path, (init?.method ?? 'GET').toLowerCase());
      const op = operation(path, method);
      expect(op, `${path} is documented`).toBeDefined();
      const documented = op.responses[String(r.status)];
      expect(documented, `${init?.method ?? 'GET'} ${url} → ${r.status} is documented`).toBeDefined();
      covered.add(`${path} ${method} ${r.status}`);
      const type = (r.headers.get('content-type') ?? '').split(';')[0]!;
      const content = documented.content?.[type];
      expect(content, `${url} → ${r.status}: content type ${type} is documented`).toBeDefined();
      if (type !== 'application/json') continue;
      const body = await r.json();
      const validate = ajv.compile(localRefs(content.schema) as Json);
      expect(validate(body) ? [] : validate.errors, `${url} → ${r.status}: ${JSON.stringify(body).slice(0, 300)}`).toEqual([]);
    }
    const documented = Object.entries(doc['paths'] as Json).flatMap(([p, ops]) =>
      Object.entries(ops as Json).flatMap(([m, op]) => Object.keys((op as Json)['responses'] as Json).map((status) => `${p} ${m} ${status}`)),
    );
    expect(documented.filter((d) => !covered.has(d))).toEqual([]);
  });

  it('documents every route the server has', () => {
    expect(Object.keys(doc['paths']).sort()).toEqual([
      '/',
      '/demo/model.bin',
      '/healthz',
      '/metrics',
      '/openapi.json',
      '/readyz',
      '/v1/events',
      '/v1/impressions',
      '/v1/items/{itemId}',
      '/v1/items/{itemId}/similar',
      '/v1/recommendations:batch',
      '/v1/users/{userId}',
      '/v1/users/{userId}/recommendations',
    ]);
  });
});
