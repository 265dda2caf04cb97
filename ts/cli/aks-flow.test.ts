// The AKS deployment's flow, locally, with the compiled CLI as child processes configured only by
// environment as the aks overlay's ConfigMap configures the pods: recommendations in Cosmos DB
// (RECS_STORE=cosmos) and events in a Cosmos DB container (RECS_EVENTS_STORE=cosmos), both in the
// Cosmos DB test double (@vercel/cosmosdb-server over HTTPS, its certificate trusted through
// NODE_EXTRA_CA_CERTS). `retrain --load cosmos` trains v1 and loads it; a `serve --store cosmos`
// takes events for users the data lacks (stored in Cosmos DB); the next `retrain` (no --load: it
// defaults to RECS_STORE) trains on them, loads v2 and promotes it; the running server switches to
// v2, and a server started afterwards answers every user of v2 from v2's precomputed lists, none from
// the popularity fallback.

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifact } from '../model/artifact.js';
import { LocalRegistry } from '../model/registry.js';
import { ensureBuilt, ROOT } from '../serve/testing/build.js';
import { killServerChildren, startServerChild } from '../serve/testing/child.js';
import { useCosmos } from '../store/testing/use-cosmos.js';

let cliJs: string;
beforeAll(() => {
  [cliJs] = ensureBuilt(['ts/cli/main.js', 'ts/serve/load-worker.js']) as [string];
}, 120_000);
afterAll(killServerChildren);

const cosmos = useCosmos();

/** The aks overlay's settings, pointed at the test double. */
function aksEnv(dir: string): NodeJS.ProcessEnv {
  const ca = join(dir, 'cosmos-ca.pem');
  writeFileSync(ca, cosmos.server.tls.cert);
  return {
    ...process.env,
    NO_COLOR: '1',
    NODE_EXTRA_CA_CERTS: ca,
    RECS_STORE: 'cosmos',
    RECS_COSMOS_ENDPOINT: cosmos.server.endpoint,
    RECS_COSMOS_KEY: 'test-key',
    RECS_COSMOS_DATABASE: 'recs',
    RECS_COSMOS_CONTAINER: 'user-recs',
    RECS_EVENTS_STORE: 'cosmos',
    RECS_EVENTS_COSMOS_CONTAINER: 'events',
    RECS_STORE_TIMEOUT_MS: '5000',
    RECS_EVENTS_DB: '',
  };
}

function recs(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cliJs, ...args], { cwd: ROOT, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function retrain(file: string, models: string, env: NodeJS.ProcessEnv, extra: string[] = []): Promise<Record<string, any>> {
  const r = await recs(['retrain', '--file', file, '--models-dir', models, '--rank', '8', '--maxIter', '5', '--beyond', 'none', '--tolerance', '0.5', '--json', ...extra], env);
  if (r.code !== 0) throw new Error(`retrain exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, any>;
}

async function get(url: string): Promise<any> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.json();
}

describe('the aks flow: retrain --load cosmos, events in Cosmos DB, serve --store cosmos', () => {
  it('a retrain on the events stored in Cosmos DB loads the store before the switch; every user is answered from the new version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recs-aks-flow-'));
    const file = join(dir, 'ratings.csv');
    const lines = ['user,item,rating,timestamp'];
    for (let u = 1; u <= 40; u++) for (let i = 1; i <= 25; i++) if ((u * 7 + i * 3) % 5 < 2 || (u + i) % 6 === 0) lines.push(`u${u},m${i},${1 + ((u + i) % 5)},${1_600_000_000 + u * 30 + i}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const models = join(dir, 'models');
    const env = aksEnv(dir);

    const v1 = await retrain(file, models, env, ['--load', 'cosmos']);
    expect(v1).toMatchObject({ action: 'trained', active: v1.version, load: { store: 'cosmos', version: v1.version, users: 40 }, events: `cosmos ${cosmos.server.endpoint} recs/events` });

    const server = await startServerChild(cliJs, ['serve', '--models-dir', models, '--port', '0', '--store', 'cosmos', '--reload-interval', '0.2'], { env, cwd: ROOT });
    expect((await get(`${server.url}/v1/users/u1/recommendations?k=5`)).modelVersion).toBe(v1.version);
    // Users the data does not have: their events go to the Cosmos DB event store.
    const fresh = ['fresh-1', 'fresh-2', 'fresh-3'];
    const events = fresh.flatMap((u, n) => ['m1', 'm4', 'm9', 'm16', `m${20 + n}`].map((m, k) => ({ eventId: `${u}-${k}`, userId: u, itemId: m, type: k % 2 ? 'like' : 'purchase' })));
    const posted = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    expect(posted.status).toBe(202);
    expect(await posted.json()).toEqual({ accepted: events.length, duplicates: 0 });

    // No --load: retrain loads the serving store RECS_STORE names.
    const v2 = await retrain(file, models, env);
    expect(v2).toMatchObject({ action: 'trained', active: v2.version, load: { store: 'cosmos', version: v2.version, users: 43 } });
    expect(v2.version).not.toBe(v1.version);
    const a2 = readArtifact(new LocalRegistry(models).versionDir(v2.version));
    expect(a2.userIds).toEqual(expect.arrayContaining(fresh));

    // The running server follows the ACTIVE pointer to v2; it answers from v2, never the fallback.
    for (let t = Date.now(); (await get(`${server.url}/v1/users/u1/recommendations?k=5`)).modelVersion !== v2.version; ) {
      if (Date.now() - t > 20_000) throw new Error('the server did not switch to v2 within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const u of a2.userIds) {
      const b = await get(`${server.url}/v1/users/${encodeURIComponent(u)}/recommendations?k=5`);
      expect({ u, version: b.modelVersion, fallback: b.source === 'fallback' }).toEqual({ u, version: v2.version, fallback: false });
    }
    server.proc.kill('SIGTERM');

    // A pod started now (no fold-in state): every user's list comes from v2 in Cosmos DB.
    const fresher = await startServerChild(cliJs, ['serve', '--models-dir', models, '--port', '0', '--store', 'cosmos'], { env, cwd: ROOT });
    const k = 5;
    for (const [u, user] of a2.userIds.entries()) {
      const b = await get(`${fresher.url}/v1/users/${encodeURIComponent(user)}/recommendations?k=${k}`);
      const stored = Array.from(a2.topk.items.subarray(u * a2.topk.depth, u * a2.topk.depth + k)).map((i) => a2.itemIds[i]);
      expect({ user, version: b.modelVersion, source: b.source, items: b.items.map((x: any) => String(x.itemId)) }).toEqual({ user, version: v2.version, source: 'precomputed', items: stored });
    }
    fresher.proc.kill('SIGTERM');
  }, 180_000);
});
