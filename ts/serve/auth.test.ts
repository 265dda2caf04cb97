// API-key authentication against a real server: both headers, wrong and missing keys, open
// routes, /metrics protection, keys from a list and a file, start-up errors, the warning when
// off, and that the comparison does the same work whichever key (if any) matches.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyAuth, AuthConfigError, loadApiKeys, presentedKey, sameKey } from './auth.js';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, fixtureRegistry, getJson } from './testing/fixtures.js';

const KEY_A = 'key-a-0123456789abcdef';
const KEY_B = 'key-b-0123456789abcdef';
const KEY_FILE = 'key-f-0123456789abcdef';

let server: RunningServer;
let registryRoot: string;

beforeAll(async () => {
  registryRoot = fixtureRegistry('v1').root;
  const file = join(mkdtempSync(join(tmpdir(), 'recs-keys-')), 'keys');
  writeFileSync(file, `# mounted secret\n\n  ${KEY_FILE}  \r\n`);
  server = await startServer({ modelsDir: registryRoot, port: 0, logger: capturedLogger().log, loadMode: 'inline', apiKeys: `${KEY_A}, ${KEY_B}`, apiKeysFile: file, requireAuth: true });
});
afterAll(() => server.close());

const recs = (headers: Record<string, string>) => getJson(`${server.url}/v1/users/u1/recommendations?k=1`, { headers });

describe('API keys over HTTP', () => {
  it.each([
    ['Authorization: Bearer', { authorization: `Bearer ${KEY_A}` }],
    ['a lower-case scheme', { authorization: `bearer ${KEY_B}` }],
    ['x-api-key', { 'x-api-key': KEY_B }],
    ['a key from the file', { 'x-api-key': KEY_FILE }],
  ])('accepts %s', async (_, headers) => {
    expect((await recs(headers)).status).toBe(200);
  });

  it('401 JSON without a key, with a challenge', async () => {
    const r = await recs({});
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
    expect(r.body).toMatchObject({ error: 'unauthorized', status: 401 });
    expect(r.body.message).toMatch(/an API key is required/);
  });

  it.each([
    ['a wrong key', { authorization: `Bearer ${KEY_A}x` }],
    ['a prefix of a key', { 'x-api-key': KEY_A.slice(0, -1) }],
    ['another scheme', { authorization: `Basic ${KEY_A}` }],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['the comment line of the file', { 'x-api-key': '# mounted secret' }],
  ])('401 for %s', async (_, headers) => {
    const r = await recs(headers);
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('unauthorized');
  });

  it('protects /v1/items too', async () => {
    expect((await getJson(`${server.url}/v1/items/i1/similar`)).status).toBe(401);
    expect((await getJson(`${server.url}/v1/items/i1/similar`, { headers: { 'x-api-key': KEY_A } })).status).toBe(200);
  });

  it('leaves the probes, /openapi.json and /metrics open', async () => {
    for (const p of ['/healthz', '/readyz', '/openapi.json', '/metrics']) expect((await fetch(`${server.url}${p}`)).status).toBe(200);
  });

  it('puts /metrics behind the key with protectMetrics', async () => {
    const s = await startServer({ modelsDir: registryRoot, port: 0, logger: capturedLogger().log, loadMode: 'inline', apiKeys: [KEY_A], protectMetrics: true });
    try {
      expect((await getJson(`${s.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${s.url}/metrics`, { headers: { 'x-api-key': KEY_A } })).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('auth configuration', () => {
  it('requireAuth without keys is a start-up error', async () => {
    await expect(startServer({ modelsDir: registryRoot, port: 0, logger: capturedLogger().log, loadMode: 'inline', requireAuth: true })).rejects.toThrow(AuthConfigError);
  });

  it('without keys the API is open, with a loud warning', async () => {
    const { log, lines } = capturedLogger();
    const s = await startServer({ modelsDir: registryRoot, port: 0, logger: log, loadMode: 'inline', apiKeys: ' , ' });
    try {
      expect((await getJson(`${s.url}/v1/users/u1/recommendations`)).status).toBe(200);
      expect(lines().find((l) => l['level'] === 40)?.['msg']).toMatch(/^AUTHENTICATION IS OFF/);
    } finally {
      await s.close();
    }
  });

  it('rejects short keys, odd characters and a missing file, naming the source', () => {
    expect(() => loadApiKeys({ keys: 'short' })).toThrow(/API key #1 of the list: an API key must be at least 16 characters/);
    expect(() => loadApiKeys({ keys: [KEY_A, 'has space inside 123'] })).toThrow(/API key #2 of the list: an API key may hold only visible ASCII/);
    expect(() => loadApiKeys({ keysFile: '/nonexistent/keys' })).toThrow(/cannot read the API keys file \/nonexistent\/keys/);
  });

  it('reads the presented key from either header, Bearer first', () => {
    expect(presentedKey(`Bearer  ${KEY_A} `, KEY_B)).toBe(KEY_A);
    expect(presentedKey('', ` ${KEY_B}`)).toBe(KEY_B);
    expect(presentedKey('Token x', '')).toBe('');
  });

  it('compares against every stored key whichever matches (no early exit)', () => {
    const seen: string[] = [];
    const auth = new ApiKeyAuth([KEY_A, KEY_B, KEY_FILE], (presented, stored) => {
      seen.push(stored);
      return sameKey(presented, stored);
    });
    for (const [key, ok] of [
      [KEY_A, true],
      [KEY_FILE, true],
      ['wrong-key-0123456789', false],
      ['x', false],
      ['', false],
    ] as const) {
      seen.length = 0;
      expect(auth.check(key)).toBe(ok);
      expect(seen).toEqual([KEY_A, KEY_B, KEY_FILE]);
    }
  });

  it('sameKey compares every character of the stored key, and the lengths', () => {
    const d = 'a'.repeat(32);
    expect(sameKey(d, d)).toBe(true);
    expect(sameKey('b' + d.slice(1), d)).toBe(false);
    expect(sameKey(d.slice(0, 31) + 'b', d)).toBe(false);
    expect(sameKey(d.slice(1), d)).toBe(false);
    expect(sameKey(d + 'a', d)).toBe(false);
    expect(sameKey('', d)).toBe(false);
    expect(sameKey('', '')).toBe(true);
  });
});
