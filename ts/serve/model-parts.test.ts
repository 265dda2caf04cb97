// Serving needs only the parts the API uses: a model with item-item weights instead of factors
// (an EASE model) answers precomputed lists, similar items from the weights' columns and fold-in
// as x_u·B; a model with neither part still serves its precomputed lists, and similar items and
// fold-in fall back as documented (404 similar_items_unavailable; the stored or popularity list).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { startServer, type RunningServer, type ServerOptions } from './server.js';
import { ensureBuilt } from './testing/build.js';
import { capturedLogger, fixtureRegistry, getJson } from './testing/fixtures.js';

const servers: RunningServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

async function serve(part: 'weights' | 'none', o: Partial<ServerOptions> = {}) {
  const registry = fixtureRegistry('v1', { part });
  const eventsDb = join(mkdtempSync(join(tmpdir(), 'recs-parts-')), 'events.sqlite');
  const s = await startServer({ modelsDir: registry.root, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventsDb, ...o });
  servers.push(s);
  const post = (body: unknown) => getJson(`${s.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { s, post, get: (path: string) => getJson(`${s.url}${path}`) };
}

const ids = (body: { items: { itemId: string }[] }) => body.items.map((i) => i.itemId);

async function until(f: () => Promise<{ body: any }>, ok: (b: any) => boolean) {
  for (let i = 0; i < 400; i++) {
    const r = await f();
    if (ok(r.body)) return r;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error('timed out');
}

describe('a model with item-item weights (no factors)', () => {
  it('serves its precomputed lists', async () => {
    const { get } = await serve('weights');
    const r = await get('/v1/users/u3/recommendations?k=3');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ source: 'precomputed' });
    expect(ids(r.body)).toEqual(['i4', 'i6', 'i8']); // the fixture's list of u3: (3 + 1 + 2s) % 30
  });

  it("answers similar items from the item's column of the weights, largest first", async () => {
    const { get } = await serve('weights');
    const r = await get('/v1/items/i5/similar?k=5');
    expect(r.status).toBe(200);
    // Column 5: row 4 weighs it by 1, row 3 by 0.5, every other row by 0 (zero weights are not "similar").
    expect(ids(r.body)).toEqual(['i4', 'i3']);
    expect(r.body.items.map((i: { score: number }) => i.score)).toEqual([1, 0.5]);
  });

  it.each(['inline', 'worker'] as const)('folds a new user in as exactly x_u·B, their items excluded (%s)', async (mode) => {
    const worker = mode === 'worker' ? { foldIn: { workerUrl: pathToFileURL(ensureBuilt(['ts/serve/foldin-worker.js'])[0]!) } } : {};
    const { post, get } = await serve('weights', worker);
    expect(
      (
        await post([
          { eventId: 'e1', userId: 'newbie', itemId: 'i10', type: 'click' },
          { eventId: 'e2', userId: 'newbie', itemId: 'i11', type: 'click' },
        ])
      ).status,
    ).toBe(202);
    const r = await until(
      () => get('/v1/users/newbie/recommendations?k=3'),
      (b) => b.source === 'foldin',
    );
    // x·B: i11 gets 1 (from i10) but is seen; i12 gets 0.5 (i10) + 1 (i11); i13 gets 0.5 (i11).
    expect(r.body.items.slice(0, 2)).toEqual([expect.objectContaining({ itemId: 'i12', score: 1.5 }), expect.objectContaining({ itemId: 'i13', score: 0.5 })]);
    expect(ids(r.body)).not.toContain('i10');
    expect(ids(r.body)).not.toContain('i11');
  });
});

describe('a model with neither factors nor item weights', () => {
  it('serves precomputed lists; similar items is a 404 that says why', async () => {
    const { get } = await serve('none');
    const r = await get('/v1/users/u3/recommendations?k=3');
    expect(r).toMatchObject({ status: 200, body: { source: 'precomputed' } });
    expect(ids(r.body)).toEqual(['i4', 'i6', 'i8']);
    const sim = await get('/v1/items/i5/similar?k=5');
    expect(sim.status).toBe(404);
    expect(sim.body).toMatchObject({ error: 'similar_items_unavailable', status: 404 });
    expect(sim.body.message).toMatch(/neither item factors nor item weights/);
    expect((await get('/v1/items/nope/similar')).body.error).toBe('item_not_found');
  });

  it('stores events but does not fold in: a new user gets the popularity list, a known one their stored list', async () => {
    const { post, get, s } = await serve('none');
    expect(
      (
        await post([
          { eventId: 'e1', userId: 'newbie', itemId: 'i10', type: 'click' },
          { eventId: 'e2', userId: 'u3', itemId: 'i0', type: 'click' },
        ])
      ).status,
    ).toBe(202);
    await until(
      () => getJson(`${s.url}/metrics`),
      (m: string) => /^recs_foldins_total [1-9]/m.test(m) || /^recs_foldin_queue_depth 0$/m.test(m),
    );
    await new Promise((res) => setTimeout(res, 50));
    const fresh = await get('/v1/users/newbie/recommendations?k=3');
    expect(fresh.body).toMatchObject({ source: 'fallback', fallbackReason: 'unknown_user' });
    expect(ids(fresh.body)).not.toContain('i10');
    const known = await get('/v1/users/u3/recommendations?k=3');
    expect(known.body.source).toBe('precomputed');
  });
});
