// The blob registry against a real Azurite: versions pushed from one cache and pulled into
// another, promote / rollback / gc through Blob, two writers racing for the pointer (the ETag
// condition catches the loser, which reruns on the new state or is refused clearly), and a
// corrupt blob refused with the active version unchanged.

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactError } from '../artifact.js';
import { promoteWithGate } from '../lifecycle/gate.js';
import { writeTiny } from '../lifecycle/testing.js';
import { LocalRegistry } from '../registry.js';
import { BlobObjectStore } from './blob-store.js';
import { PreconditionFailedError } from './object-store.js';
import { remoteSession } from './open.js';
import { RegistryConflictError, RemoteRegistry } from './remote.js';
import { startAzurite, type TestAzurite } from './testing/azurite.js';

let azurite: TestAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 30_000);
afterAll(() => azurite?.dispose());

let n = 0;
/** A fresh registry location (its own container) and a function making caches of it. */
function fresh() {
  const store = new BlobObjectStore({ auth: { connectionString: azurite.connectionString }, container: `reg-${++n}-${process.pid}`, prefix: 'prod/models' });
  const cache = () => new LocalRegistry(mkdtempSync(join(tmpdir(), 'reg-cache-')));
  return { store, cache };
}

/** The remote pointer as stored, read with a client of its own. */
async function remoteActive(store: BlobObjectStore): Promise<string | null> {
  const got = await store.get('ACTIVE');
  return got ? got.data.toString('utf8').trim() : null;
}

describe('blob registry', () => {
  it('pushes a trained version from one cache and pulls it, verified, into another', async () => {
    const { store, cache } = fresh();
    const a = remoteSession(store, cache());
    await a.publish(async (reg) => {
      writeTiny(reg, 'v1');
      reg.activate('v1', { via: 'train' });
    });
    expect(await remoteActive(store)).toBe('v1');
    expect((await store.list('v1/')).sort()).toEqual([
      'v1/item-factors.f32',
      'v1/item-ids.json',
      'v1/manifest.json',
      'v1/popularity.u32',
      'v1/topk-items.u32',
      'v1/topk-scores.f32',
      'v1/user-factors.f32',
      'v1/user-ids.json',
    ]);

    const b = remoteSession(store, cache());
    const infos = await b.read((reg) => reg.infos());
    expect(infos.map((i) => [i.version, i.state])).toEqual([['v1', 'active']]);
    // the active version arrived whole and byte-identical
    for (const f of ['item-factors.f32', 'topk-items.u32', 'manifest.json']) {
      expect(readFileSync(join(b.local.versionDir('v1'), f))).toEqual(readFileSync(join(a.local.versionDir('v1'), f)));
    }
    expect(b.local.history()).toEqual(a.local.history());
  });

  it('promotes through the gate, rolls back and collects garbage in Blob', async () => {
    const { store, cache } = fresh();
    const trainer = remoteSession(store, cache());
    await trainer.publish(async (reg) => {
      for (const v of ['v1', 'v2', 'v3', 'v4']) writeTiny(reg, v);
    });
    expect(await remoteActive(store)).toBeNull();

    const ops = remoteSession(store, cache());
    const d1 = await ops.change((reg) => promoteWithGate(reg, 'v1'), { fetch: () => ['v1'] });
    expect(d1.promoted).toBe(true);
    // a worse candidate is refused by the gate, and the refusal is recorded in Blob
    const bad = remoteSession(store, cache());
    await bad.publish(async (reg) => void writeTiny(reg, 'v5', { metrics: { 'ndcg@10': 0.1 } }));
    const d5 = await ops.change((reg) => promoteWithGate(reg, 'v5'), { fetch: () => ['v5'] });
    expect(d5.promoted).toBe(false);
    expect(await remoteActive(store)).toBe('v1');
    await ops.change((reg) => reg.promote('v2'), { fetch: () => ['v2'] });
    expect(await remoteActive(store)).toBe('v2');
    const back = await ops.change((reg) => reg.rollback(), { fetch: (reg) => [reg.previousActive()] });
    expect(back).toBe('v1');
    expect(await remoteActive(store)).toBe('v1');

    // another cache sees the same states and history
    const viewer = remoteSession(store, cache());
    expect(await viewer.read((reg) => reg.infos().map((i) => [i.version, i.state]))).toEqual([
      ['v1', 'active'],
      ['v2', 'retired'],
      ['v3', 'candidate'],
      ['v4', 'candidate'],
      ['v5', 'candidate'],
    ]);
    expect(viewer.local.history().map((e) => [e.action, e.version, e.from ?? null, e.via ?? null])).toEqual([
      ['activate', 'v1', null, 'gate'],
      ['refuse', 'v5', null, null],
      ['activate', 'v2', 'v1', 'promote'],
      ['activate', 'v1', 'v2', 'rollback'],
    ]);

    // keep 1: v5 (newest) stays, v1 (active) and v2 (previous active) are protected; v3, v4 go
    const deleted = await ops.change((reg) => reg.gc(1));
    expect(deleted).toEqual(['v3', 'v4']);
    expect(await store.list('v3/')).toEqual([]);
    expect(await store.list('v4/')).toEqual([]);
    // the trainer's cache still holds v3 and v4; its next pull drops them (deleted per the history)
    expect(trainer.local.versionNames()).toContain('v3');
    expect(await trainer.read((reg) => reg.versionNames())).toEqual(['v1', 'v2', 'v5']);
  });

  it('detects two writers racing for the pointer: the loser is refused or reruns on the new state', async () => {
    const { store, cache } = fresh();
    await remoteSession(store, cache()).publish(async (reg) => {
      for (const v of ['v1', 'v2', 'v3']) writeTiny(reg, v);
      reg.activate('v1', { via: 'train' });
    });
    // the ETag condition itself
    const etag = (await store.get('ACTIVE'))!.etag;
    await store.put('ACTIVE', Buffer.from('v1\n'), { ifMatch: etag });
    await expect(store.put('ACTIVE', Buffer.from('v2\n'), { ifMatch: etag })).rejects.toBeInstanceOf(PreconditionFailedError);

    // two writers pull the same state, both move the pointer; the second push is refused
    const a = new RemoteRegistry(store, cache());
    const b = new RemoteRegistry(store, cache());
    await a.pull();
    await b.pull();
    await a.fetch(['v2']);
    await b.fetch(['v3']);
    a.cache.promote('v2');
    b.cache.promote('v3');
    await a.push();
    const lost = b.push();
    await expect(lost).rejects.toBeInstanceOf(RegistryConflictError);
    await expect(lost).rejects.toThrow(/changed while this command ran \(it was v1 when read; this command wanted v3\); nothing was overwritten/);
    expect(await remoteActive(store)).toBe('v2');

    // with change(), racing writers each rerun on the state they replace: no update is lost
    const c = remoteSession(store, cache());
    const d = remoteSession(store, cache());
    await Promise.all([c.change((reg) => reg.promote('v3'), { fetch: () => ['v3'] }), d.change((reg) => reg.promote('v1'), { fetch: () => ['v1'] })]);
    const view = remoteSession(store, cache());
    const history = await view.read((reg) => reg.history().filter((e) => e.action === 'activate'));
    // every activation's "from" is the version active just before it: a single chain
    const chain = history.map((e) => [e.from ?? null, e.version]);
    expect(chain.slice(0, 2)).toEqual([
      [null, 'v1'],
      ['v1', 'v2'],
    ]);
    expect(chain.length).toBe(4);
    for (let i = 1; i < chain.length; i++) expect(chain[i]![0]).toBe(chain[i - 1]![1]);
    expect(await remoteActive(store)).toBe(chain.at(-1)![1]);
  });

  it('refuses to move the pointer after a long operation when another writer moved it meanwhile', async () => {
    const { store, cache } = fresh();
    await remoteSession(store, cache()).publish(async (reg) => {
      writeTiny(reg, 'v1');
      writeTiny(reg, 'v2');
      reg.activate('v1', { via: 'train' });
    });
    const trainer = new RemoteRegistry(store, cache());
    const training = trainer.publish(async (reg) => {
      // while this "trains", an operator promotes v2
      await remoteSession(store, cache()).change((r) => r.promote('v2'), { fetch: () => ['v2'] });
      writeTiny(reg, 'v3');
      reg.activate('v3', { via: 'train' });
    });
    await expect(training).rejects.toThrow(
      /changed while this command ran \(it was v1 when read; this command wanted v3\); nothing was overwritten\. v3 was uploaded and stays a candidate: promote with "recs models promote v3"/,
    );
    expect(await remoteActive(store)).toBe('v2');
    const view = remoteSession(store, cache());
    expect(await view.read((reg) => reg.infos().map((i) => [i.version, i.state]))).toEqual([
      ['v1', 'retired'],
      ['v2', 'active'],
      ['v3', 'candidate'],
    ]);
  });

  it('refuses a corrupt blob: promote fails naming it and the active version stays', async () => {
    const { store, cache } = fresh();
    await remoteSession(store, cache()).publish(async (reg) => {
      writeTiny(reg, 'v1');
      writeTiny(reg, 'v2');
      reg.activate('v1', { via: 'train' });
    });
    const blob = (await store.get('v2/item-factors.f32'))!.data;
    blob[blob.length - 1] = blob[blob.length - 1]! ^ 0xff;
    await store.put('v2/item-factors.f32', blob);

    const ops = remoteSession(store, cache());
    const attempt = ops.change((reg) => reg.promote('v2', { force: true }), { fetch: () => ['v2'] });
    await expect(attempt).rejects.toBeInstanceOf(ArtifactError);
    await expect(attempt).rejects.toThrow(/v2\/item-factors\.f32: checksum mismatch \(corrupt blob\); refused/);
    expect(await remoteActive(store)).toBe('v1');
    // nothing of the corrupt download is left in the cache: v2 is still a stub there
    expect(existsSync(join(ops.local.versionDir('v2'), 'item-factors.f32'))).toBe(false);
    expect(await ops.read((reg) => reg.activeVersion())).toBe('v1');
  });
});
