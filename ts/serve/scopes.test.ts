// Key scopes against a real server: a key without scopes reads and sends events but cannot erase
// (403), an admin key erases; a read-only key cannot send events; scope syntax errors at start-up;
// the try-it page follows --require-auth and --no-demo removes it.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthConfigError, loadApiKeys } from './auth.js';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, fixtureRegistry, getJson } from './testing/fixtures.js';

const PLAIN = 'plain-0123456789abcdef';
const READER = 'reader-0123456789abcdef';
const ADMIN = 'admin-0123456789abcdef';
const servers: RunningServer[] = [];
let server: RunningServer;
const root = fixtureRegistry('v1').root;
const serve = async (extra: Parameters<typeof startServer>[0] extends infer O ? Partial<O> : never) => {
  const s = await startServer({ modelsDir: root, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventsDb: join(mkdtempSync(join(tmpdir(), 'recs-scopes-')), 'e.sqlite'), ...extra });
  servers.push(s);
  return s;
};

beforeAll(async () => {
  server = await serve({ apiKeys: `${PLAIN}, ${READER}:read, ${ADMIN}:admin`, requireAuth: true });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const as = (key: string, path: string, init: RequestInit = {}) => getJson(`${server.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-api-key': key } });
const event = (userId: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ eventId: `e-${userId}-${Math.random()}`, userId, itemId: 'i1', type: 'click' }),
});

describe('key scopes', () => {
  it('a key without scopes reads and sends events, but cannot erase', async () => {
    expect((await as(PLAIN, '/v1/users/u1/recommendations')).status).toBe(200);
    expect((await as(PLAIN, '/v1/events', event('u1'))).status).toBe(202);
    const del = await as(PLAIN, '/v1/users/u1', { method: 'DELETE' });
    expect(del.status).toBe(403);
    expect(del.body).toMatchObject({ error: 'forbidden', status: 403, message: expect.stringMatching(/lacks the "admin" scope/) });
  });

  it('a read key cannot send events; an admin key erases but does not read', async () => {
    expect((await as(READER, '/v1/users/u1/recommendations')).status).toBe(200);
    expect((await as(READER, '/v1/events', event('u2'))).status).toBe(403);
    expect((await as(ADMIN, '/v1/users/u2', { method: 'DELETE' })).status).toBe(200);
    expect((await as(ADMIN, '/v1/users/u1/recommendations')).status).toBe(403);
    expect((await as('not-a-key-0123456789', '/v1/users/u2', { method: 'DELETE' })).status).toBe(401);
  });

  it('parses scopes, and names the entry of an unknown one', () => {
    expect(loadApiKeys({ keys: `${PLAIN}, ${ADMIN}:read+admin, weird:key:0123456789abcdef` })).toEqual([
      { key: PLAIN, scopes: ['read', 'events'] },
      { key: ADMIN, scopes: ['read', 'admin'] },
      { key: 'weird:key:0123456789abcdef', scopes: ['read', 'events'] },
    ]);
    expect(() => loadApiKeys({ keys: `${PLAIN}:read+root` })).toThrow(AuthConfigError);
    expect(() => loadApiKeys({ keys: `${PLAIN}:read+root` })).toThrow(/API key #1 of the list: unknown scope "root"/);
  });
});

describe('the try-it page', () => {
  it('needs a key under --require-auth', async () => {
    expect((await getJson(`${server.url}/`)).status).toBe(401);
    expect((await getJson(`${server.url}/demo/model.bin`)).status).toBe(401);
    expect((await as(READER, '/')).status).not.toBe(401);
  });

  it('is open without --require-auth, and gone with --no-demo', async () => {
    const open = await serve({});
    expect((await getJson(`${open.url}/demo/model.bin`)).status).toBe(200);
    const off = await serve({ demo: false });
    expect((await getJson(`${off.url}/demo/model.bin`)).status).toBe(404);
    expect((await getJson(`${off.url}/`)).status).toBe(404);
  });
});
