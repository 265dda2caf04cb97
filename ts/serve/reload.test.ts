// Hot reload against a real server: a new active version is swapped in while requests keep
// coming (none fails, each client sees the version change once, and every answer is consistent
// with the version it names), a request in flight finishes on the model it started on, and a
// corrupt version is refused while the current one keeps serving.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRegistry } from '../model/registry.js';
import { EmbeddedStore } from '../store/embedded.js';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, corrupt, fixtureRegistry, getJson, writeFixture } from './testing/fixtures.js';
import { clients as startClients, until } from './testing/load.js';

const SLOW_USER = 'u7';
const SLOW_MS = 300;

let registry: LocalRegistry;
let server: RunningServer;
const logs = capturedLogger();
const closed: string[] = [];

beforeAll(async () => {
  registry = fixtureRegistry('v1');
  server = await startServer({
    modelsDir: registry.root,
    port: 0,
    logger: logs.log,
    loadMode: 'inline',
    reloadPollMs: 100,
    // the embedded store, slowed down for one user so a request can be in flight across a swap
    createStore: (p) => {
      const inner = new EmbeddedStore(p.table);
      return {
        kind: inner.kind,
        modelVersion: inner.modelVersion,
        depth: inner.depth,
        get: (user) => (user === SLOW_USER ? new Promise((r) => setTimeout(r, SLOW_MS)).then(() => inner.get(user)) : inner.get(user)),
        close: () => {
          closed.push(inner.modelVersion);
          return inner.close();
        },
      };
    },
  });
});
afterAll(() => server.close());

/** The score a version's first item has for a known user (fixtures shift scores per version). */
const SHIFT: Record<string, number> = { v1: 0, v2: 0.5, v4: 0.25 };

/** What the clients ask for: a known user (its list checked against the version), an unknown one, similar items, a filter. */
const PATHS = ['/v1/users/u3/recommendations?k=2', '/v1/users/nobody/recommendations?k=2', '/v1/items/i5/similar?k=2', '/v1/users/u4/recommendations?genre=Drama&k=3'];
const clients = (n: number) => startClients(server.url, n, SHIFT, PATHS);

describe('hot reload', () => {
  it('swaps in a new active version under concurrent requests, with zero failures', async () => {
    const c = clients(8);
    await until(() => c.count('v1') >= 40);
    writeFixture(registry, 'v2', { shift: 0.5 });
    registry.activate('v2');
    await until(() => c.count('v2') >= 80);
    const seen = await c.stop();
    const all = seen.flat();
    expect(all.filter((s) => s.status !== 200)).toEqual([]);
    expect(all.filter((s) => !s.consistent)).toEqual([]);
    for (const log of seen) {
      // each client: v1 answers, then v2 answers, never back
      const versions = log.map((s) => s.version);
      const firstV2 = versions.indexOf('v2');
      expect(firstV2).toBeGreaterThan(0);
      expect(versions.slice(0, firstV2).every((v) => v === 'v1')).toBe(true);
      expect(versions.slice(firstV2).every((v) => v === 'v2')).toBe(true);
    }
    expect(server.modelVersion()).toBe('v2');
    expect(logs.lines().some((l) => l['msg'] === 'swapped in the new model' && l['version'] === 'v2' && l['previous'] === 'v1')).toBe(true);
    await until(() => closed.includes('v1'));
  });

  it('finishes a request in flight on the model it started on, and closes that store after', async () => {
    const inFlight = getJson(`${server.url}/v1/users/${SLOW_USER}/recommendations?k=1`);
    await until(() => server.requestsInFlight() === 1);
    writeFixture(registry, 'v4', { shift: 0.25 });
    registry.activate('v4');
    expect(await server.reload()).toBe('loaded');
    expect(server.modelVersion()).toBe('v4');
    expect(closed).not.toContain('v2');
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ modelVersion: 'v2', source: 'precomputed' });
    expect(r.body.items[0].score).toBe(1.5);
    await until(() => closed.includes('v2'));
    expect((await getJson(`${server.url}/v1/users/u3/recommendations?k=1`)).body.items[0].score).toBe(1.25);
  });

  it('refuses a corrupt version; the current one keeps serving without a failure', async () => {
    const c = clients(4);
    await until(() => c.count('v4') >= 20);
    corrupt(writeFixture(registry, 'v3'), 'item-factors.f32');
    registry.activate('v3');
    await until(() => logs.lines().some((l) => l['version'] === 'v3' && l['level'] === 50));
    const after = c.count('v4');
    await until(() => c.count('v4') >= after + 20);
    const all = (await c.stop()).flat();
    expect(all.filter((s) => s.status !== 200 || s.version !== 'v4')).toEqual([]);
    expect(server.modelVersion()).toBe('v4');
    const error = logs.lines().find((l) => l['version'] === 'v3' && l['level'] === 50)!;
    expect(error['msg']).toBe('refused the new active model; the previous one keeps serving');
    expect(error['serving']).toBe('v4');
    expect(JSON.stringify(error['err'])).toMatch(/item-factors\.f32: checksum mismatch/);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('recs_model_reloads_total{result="failure"} 1');
    expect(metrics).toContain('recs_model_reloads_total{result="success"} 2');
    expect(metrics).toContain('recs_model_info{version="v4",store="embedded"} 1');
    // the periodic check does not retry the refused version over and over
    await new Promise((r) => setTimeout(r, 350));
    expect(logs.lines().filter((l) => l['version'] === 'v3' && l['level'] === 50)).toHaveLength(1);
    expect((await getJson(`${server.url}/readyz`)).body.modelVersion).toBe('v4');
  });
});
