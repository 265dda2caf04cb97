// The durability promise of POST /v1/events, end to end: the compiled server runs as a child
// process (dist/, rebuilt first when stale), is killed with SIGKILL while two clients stream event
// batches, and after a restart every acknowledged event is stored, exactly once (a replay of
// everything sent is all duplicates for the acknowledged batches).

import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { SqliteEventStore } from '../events/sqlite.js';
import { ensureBuilt } from './testing/build.js';
import { killServerChildren, startServerChild } from './testing/child.js';
import { fixtureRegistry, getJson } from './testing/fixtures.js';

let mainJs: string;

beforeAll(() => {
  [mainJs] = ensureBuilt(['ts/cli/serve-main.js', 'ts/serve/load-worker.js']) as [string];
}, 120_000);
afterEach(killServerChildren);

/** Starts the server on `modelsDir`; resolves with the child and its URL once it listens. */
const start = (modelsDir: string) => startServerChild(mainJs, ['--models-dir', modelsDir, '--port', '0']);

type Batch = { eventId: string; userId: string; itemId: string; type: string }[];
const post = (url: string, batch: Batch) => getJson(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });

it('keeps every acknowledged event, once, across SIGKILL', async () => {
  const registry = fixtureRegistry('v1');
  const first = await start(registry.root);
  const sent: Batch[] = [];
  const acked: Batch[] = [];
  let n = 0;
  const stream = async (client: number) => {
    for (;;) {
      const batch: Batch = Array.from({ length: 50 }, () => ({ eventId: `c${client}-${n++}`, userId: `crash${n % 7}`, itemId: `i${n % 30}`, type: 'click' }));
      sent.push(batch);
      try {
        const r = await post(first.url, batch);
        if (r.status !== 202) throw new Error(`status ${r.status}`);
        acked.push(batch);
      } catch {
        return; // the server is gone
      }
    }
  };
  const clients = [stream(0), stream(1)];
  while (acked.length < 30) await new Promise((r) => setTimeout(r, 5));
  first.proc.kill('SIGKILL');
  await Promise.all(clients);

  const db = new SqliteEventStore(join(registry.root, '..', 'events.sqlite'));
  const stored = new Map<string, number>();
  for (let u = 0; u < 7; u++) for (const e of await db.forUser(`crash${u}`)) stored.set(e.eventId, (stored.get(e.eventId) ?? 0) + 1);
  await db.close();
  const ackedIds = acked.flat().map((e) => e.eventId);
  expect(ackedIds.filter((id) => stored.get(id) !== 1)).toEqual([]);
  expect([...stored.values()].every((c) => c === 1)).toBe(true);

  // after a restart, replaying every acknowledged batch stores nothing new
  const second = await start(registry.root);
  let duplicates = 0;
  for (const b of acked) duplicates += (await post(second.url, b)).body.duplicates as number;
  expect(duplicates).toBe(ackedIds.length);
  // and replaying the rest (unacknowledged, perhaps stored) brings the store to everything sent, once each
  for (const b of sent.filter((x) => !acked.includes(x))) expect((await post(second.url, b)).status).toBe(202);
  const again = await post(second.url, sent.flat().slice(0, 1000));
  expect(again.body).toEqual({ accepted: 0, duplicates: 1000 });
}, 60_000);
