// HTTP tests of POST /v1/recommendations:batch against a real server over the fixture model:
// each result is byte-for-byte what the single GET answers (but generatedAt and its own recommendationId), in request order,
// and every bad field gets a precise JSON 400.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, fixtureRegistry, getJson } from './testing/fixtures.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ modelsDir: fixtureRegistry('v1').root, port: 0, logger: capturedLogger().log, loadMode: 'inline' });
});
afterAll(() => server.close());

const batch = (body: unknown) =>
  getJson(`${server.url}/v1/recommendations:batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const strip = ({ generatedAt: _, recommendationId: __, ...rest }: Record<string, unknown>) => rest;

describe('POST /v1/recommendations:batch', () => {
  it('answers each user as the single GET does, in order, with the same filters and page', async () => {
    const users = ['u3', 'nobody', 'u19', 'u3'];
    const r = await batch({ userIds: users, k: 5, offset: 2, genre: 'Drama', exclude: ['i0'] });
    expect(r.status).toBe(200);
    expect(r.body.modelVersion).toBe('v1');
    expect(r.body.results).toHaveLength(4);
    for (const [i, u] of users.entries()) {
      const single = await getJson(`${server.url}/v1/users/${u}/recommendations?k=5&offset=2&genre=Drama&exclude=i0`);
      expect(strip(r.body.results[i])).toEqual(strip(single.body));
    }
    // the same user twice is two answers: each entry has its own id
    const ids = r.body.results.map((x: { recommendationId: string }) => x.recommendationId);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(users.length);
  });

  it('defaults to k = 10 from offset 0', async () => {
    const r = await batch({ userIds: ['u1'] });
    expect(r.body.results[0].items).toHaveLength(10);
  });

  it.each([
    ['', /the body is empty/],
    ['{', /not valid JSON/],
    [[], /must be a JSON object/],
    [{}, /userIds must be a non-empty array/],
    [{ userIds: [] }, /userIds must be a non-empty array/],
    [{ userIds: Array.from({ length: 101 }, (_, i) => `u${i}`) }, /userIds lists 101 users; the limit is 100/],
    [{ userIds: ['u1', 7] }, /userIds\[1\] is not a string/],
    [{ userIds: ['u1', ''] }, /userIds\[1\] is empty/],
    [{ userIds: ['u1'], k: 0 }, /k must be from 1 to 100, got 0/],
    [{ userIds: ['u1'], k: '5' }, /k must be a number/],
    [{ userIds: ['u1'], k: 100, offset: 901 }, /offset \+ k must be at most 1000/],
    [{ userIds: ['u1'], genre: 'Western' }, /unknown genre "Western"/],
    [{ userIds: ['u1'], exclude: 'i1' }, /exclude must be an array of item ids/],
    [{ userIds: ['u1'], limit: 3 }, /unknown field "limit"; allowed: userIds, k, offset, genre, exclude/],
  ])('400 for %j', async (body, message) => {
    const r = await batch(body);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'bad_request', status: 400 });
    expect(r.body.message).toMatch(message);
  });

  it('405 with Allow for GET', async () => {
    const r = await getJson(`${server.url}/v1/recommendations:batch`);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
  });
});
