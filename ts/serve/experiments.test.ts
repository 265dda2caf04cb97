// A/B experiments against real servers: two replicas sharing one registry directory and one
// SQLite event store. Users keep their variant across replicas and restarts; answers name the
// experiment, variant and model version; impressions reported on one replica and clicks on the
// other are attributed in the report (unknown and late ids counted, not attributed); events fold
// in against the user's variant's model; bad
// impressions are 400s naming index and field; stopping the experiment reverts to the active
// version.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../events/sqlite.js';
import { localBook } from '../model/experiments/book.js';
import { newExperiment, parseVariants, type Experiment } from '../model/experiments/definition.js';
import { experimentReport } from '../model/experiments/report.js';
import { Assigner } from '../model/experiments/assign.js';
import type { LocalRegistry } from '../model/registry.js';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, fixtureRegistry, getJson, writeFixture } from './testing/fixtures.js';

let registry: LocalRegistry;
let eventsDb: string;
const servers: RunningServer[] = [];
const USERS = Array.from({ length: 20 }, (_, u) => `u${u}`);

const start = async () => {
  const s = await startServer({ modelsDir: registry.root, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventsDb, experimentsPollMs: 50, demo: false });
  servers.push(s);
  return s;
};
const recs = (s: RunningServer, user: string) => getJson(`${s.url}/v1/users/${user}/recommendations?k=3`);
const post = (s: RunningServer, path: string, body: unknown) => getJson(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const book = () => localBook(registry.root);

async function until<T>(f: () => Promise<T>, ok: (x: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const x = await f();
    if (ok(x)) return x;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}

beforeAll(async () => {
  registry = fixtureRegistry('v1');
  writeFixture(registry, 'v2', { shift: 1 });
  eventsDb = join(mkdtempSync(join(tmpdir(), 'recs-exp-http-')), 'events.sqlite');
  await book().update((list) => ({
    list: [...list, newExperiment({ name: 'ab', variants: parseVariants('control=v1:0.5,treatment=v2:0.5') }, ['v1', 'v2'], list, new Date(Date.now() - 1000), 'salt-ab')],
    result: null,
  }));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('experiments on two replicas', () => {
  let variantOf: Map<string, string>;

  it('assigns each user one variant, the same on both replicas and after a restart; answers name it and its model version', async () => {
    const [a, b] = [await start(), await start()];
    variantOf = new Map();
    for (const u of USERS) {
      const [ra, rb] = [await recs(a, u), await recs(b, u)];
      expect(ra.body.experiment).toBe('ab');
      expect(rb.body.variant).toBe(ra.body.variant);
      expect(ra.body.modelVersion).toBe(ra.body.variant === 'control' ? 'v1' : 'v2');
      // v2's scores are v1's + 1: the variant's own model answered
      expect(ra.body.items[0].score).toBeCloseTo(ra.body.variant === 'control' ? 1 : 2, 5);
      variantOf.set(u, ra.body.variant);
    }
    expect(new Set(variantOf.values())).toEqual(new Set(['control', 'treatment']));
    await a.close();
    servers.splice(servers.indexOf(a), 1);
    const again = await start();
    for (const u of USERS) expect((await recs(again, u)).body.variant).toBe(variantOf.get(u));
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(/recs_experiment_answers_total\{experiment="ab",variant="treatment",version="v2"\} [1-9]/);
    expect(metrics).toMatch(/recs_experiment_model_bytes [1-9]/);
  });

  it('attributes a click reported on one replica to the impression reported on the other; unknown and late ids are counted, not attributed', async () => {
    const [a, b] = servers;
    const user = 'u3';
    const r = await recs(a!, user);
    const rec = r.body.recommendationId as string;
    const shown = { recommendationId: rec, userId: user, items: r.body.items.map((it: { itemId: string }, position: number) => ({ itemId: it.itemId, position })) };
    expect(await post(a!, '/v1/impressions', shown)).toMatchObject({ status: 202, body: { accepted: 3, duplicates: 0 } });
    expect(await post(b!, '/v1/impressions', shown)).toMatchObject({ status: 202, body: { accepted: 0, duplicates: 3 } });
    const clicked = r.body.items[1].itemId;
    const now = Date.now();
    expect(
      await post(b!, '/v1/events', [
        { eventId: 'c1', userId: user, itemId: clicked, type: 'click', recommendationId: rec, position: 1 },
        { eventId: 'c2', userId: user, itemId: clicked, type: 'click', recommendationId: 'f'.repeat(32) },
        { eventId: 'c3', userId: user, itemId: clicked, type: 'purchase', recommendationId: rec, timestamp: now + 3_600_000 },
      ]),
    ).toMatchObject({ status: 202, body: { accepted: 3 } });
    const db = new SqliteEventStore(eventsDb);
    const e = (await book().read()).experiments[0] as Experiment;
    const events = [...db.scan()];
    const report = experimentReport(e, await db.impressions(), events, { windowMs: 60_000, now: now + 7_200_000 });
    await db.close();
    expect(report.attribution).toEqual({ attributed: 1, unknown: 1, expired: 1 });
    const v = report.variants.find((x) => x.name === variantOf.get(user))!;
    expect(v.impressions).toBe(3);
    expect(v.ctr.successes).toBe(1);
    expect(v.conversion.successes).toBe(0);
    const metrics = await (await fetch(`${b!.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`recs_experiment_clicks_total\\{experiment="ab",variant="${variantOf.get(user)}",version="v[12]"\\} 2`));
  });

  it("folds a user's events in against their variant's model", async () => {
    const [a] = servers;
    for (const variant of ['control', 'treatment']) {
      const user = USERS.find((u) => variantOf.get(u) === variant && u !== 'u3')!;
      expect(await post(a!, '/v1/events', { eventId: `f-${user}`, userId: user, itemId: 'i20', type: 'like' })).toMatchObject({ status: 202 });
      const r = await until(
        () => recs(a!, user),
        (x) => x.body.source === 'foldin',
      );
      expect(r.body).toMatchObject({ variant, modelVersion: variant === 'control' ? 'v1' : 'v2' });
    }
  });

  it('refuses bad impressions and malformed recommendation ids with the index and field', async () => {
    const [a] = servers;
    const bad = await post(a!, '/v1/impressions', [
      { recommendationId: 'not-an-id', userId: 'u1', items: [{ itemId: 'i1', position: 0 }] },
      {
        recommendationId: '0'.repeat(32),
        userId: 'u1',
        items: [
          { itemId: 'i1', position: 0 },
          { itemId: 'i2', position: 0 },
        ],
      },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid_impressions' });
    expect(bad.body.errors.map((x: { index: number; field: string }) => `${x.index}:${x.field}`)).toEqual(['0:recommendationId', '1:items[1].position']);
    const ev = await post(a!, '/v1/events', { eventId: 'x1', userId: 'u1', itemId: 'i1', type: 'click', recommendationId: 'nope' });
    expect(ev).toMatchObject({ status: 400, body: { error: 'invalid_events', errors: [{ index: 0, field: 'recommendationId' }] } });
  });

  it('a popularity variant answers the popularity list; a stopped experiment reverts every replica to the active version', async () => {
    await book().update((list) => ({ list: list.map((x) => ({ ...x, state: 'stopped' as const })), result: null }));
    for (const s of servers) {
      const r = await until(
        () => recs(s, 'u0'),
        (x) => x.body.variant === undefined,
      );
      expect(r.body.modelVersion).toBe('v1');
    }
    const pop = newExperiment({ name: 'pop', variants: parseVariants('control=v1:0.5,pop=popularity:0.5') }, ['v1', 'v2'], [], new Date(), 's');
    await book().update((list) => ({ list: [...list, pop], result: null }));
    const user = USERS.find((u) => new Assigner(pop).variantIndex(u) === 1)!;
    const s = servers[0]!;
    const r = await until(
      () => recs(s, user),
      (x) => x.body.experiment === 'pop',
    );
    expect(r.body).toMatchObject({ variant: 'pop', source: 'fallback', modelVersion: 'v1' });
    expect(r.body.fallbackReason).toBeUndefined();
    const popular = (await recs(s, 'someone-unknown')).body.items.map((i: { itemId: string }) => i.itemId);
    expect(popular.length).toBeGreaterThan(0);
  });
});
