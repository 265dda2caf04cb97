// Owns moving one model version between a remote object store and the local cache directory:
// <version>/<file> objects, a version's files in parallel; the manifest written last on upload (a
// version exists remotely once its manifest does); every file's size and sha256 checked against
// the manifest on download before the version appears in the cache (a corrupt blob is refused
// with its name). A cached version can also be a stub — its manifest alone — enough for listing,
// the gate and the history.

import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactError, readManifest } from '../artifact.js';
import type { Manifest } from '../manifest.js';
import type { LocalRegistry } from '../registry.js';
import { PreconditionFailedError, type ObjectStore } from './object-store.js';

export const MANIFEST = 'manifest.json';

/** Whether the cache holds every file of `version` at the size its manifest gives (not just a stub). */
export function isComplete(cache: LocalRegistry, version: string): boolean {
  const dir = cache.versionDir(version);
  if (!existsSync(join(dir, MANIFEST))) return false;
  const m = readManifest(dir);
  return Object.entries(m.files).every(([name, f]) => {
    const p = join(dir, name);
    return existsSync(p) && statSync(p).size === f.bytes;
  });
}

/** Writes a stub of `version` (its manifest alone) unless the cache already has the version. */
export function writeStub(cache: LocalRegistry, version: string, manifest: Buffer): void {
  const dir = cache.versionDir(version);
  if (existsSync(join(dir, MANIFEST))) return;
  const tmp = tempDir(cache, version);
  writeFileSync(join(tmp, MANIFEST), manifest);
  checkManifest(readManifest(tmp), version, `${tmp}/${MANIFEST}`);
  replaceDir(tmp, dir);
}

/**
 * Downloads every file of `version` into the cache, checking each against the manifest; on any
 * mismatch nothing changes in the cache and an ArtifactError names the blob.
 */
export async function downloadVersion(store: ObjectStore, cache: LocalRegistry, version: string): Promise<Manifest> {
  const dir = cache.versionDir(version);
  const where = `${store.description}/${version}`;
  const got = await store.get(`${version}/${MANIFEST}`);
  if (!got) throw new ArtifactError(`${where}/${MANIFEST} does not exist: no version "${version}" in the registry`);
  const tmp = tempDir(cache, version);
  try {
    writeFileSync(join(tmp, MANIFEST), got.data);
    const manifest = readManifest(tmp);
    checkManifest(manifest, version, `${where}/${MANIFEST}`);
    // The files in parallel; the first error wins, after every transfer has settled.
    const results = await Promise.allSettled(
      Object.entries(manifest.files).map(async ([name, f]) => {
        const path = join(tmp, name);
        await store.getFile(`${version}/${name}`, path);
        const bytes = statSync(path).size;
        if (bytes !== f.bytes) throw new ArtifactError(`${where}/${name}: ${bytes} bytes, the manifest says ${f.bytes} (truncated?); refused`);
        if ((await sha256File(path)) !== f.sha256) throw new ArtifactError(`${where}/${name}: checksum mismatch (corrupt blob); refused`);
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    replaceDir(tmp, dir);
    return manifest;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Uploads a complete cached version after checking its files against its manifest: the files
 * first, the manifest last and only if no manifest of that name exists (versions are immutable).
 */
export async function uploadVersion(store: ObjectStore, cache: LocalRegistry, version: string): Promise<void> {
  const dir = cache.versionDir(version);
  const manifest = readManifest(dir);
  checkManifest(manifest, version, join(dir, MANIFEST));
  const results = await Promise.allSettled(
    Object.entries(manifest.files).map(async ([name, f]) => {
      const path = join(dir, name);
      if (!existsSync(path)) throw new ArtifactError(`cannot upload ${version}: ${path} is missing (the cache holds only part of it)`);
      if ((await sha256File(path)) !== f.sha256) throw new ArtifactError(`cannot upload ${version}: ${path}: checksum mismatch (corrupt file)`);
      await store.putFile(`${version}/${name}`, path);
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const data = readFileSync(join(dir, MANIFEST));
  try {
    await store.put(`${version}/${MANIFEST}`, data, { ifNoneMatch: '*' });
  } catch (e) {
    if (!(e instanceof PreconditionFailedError)) throw e;
    const existing = await store.get(`${version}/${MANIFEST}`);
    if (!existing?.data.equals(data)) throw new ArtifactError(`cannot upload ${version}: ${store.description}/${version} already holds a different version of that name`);
  }
}

/** Deletes a version's objects, the manifest first so it stops being a version at once. */
export async function deleteVersion(store: ObjectStore, version: string): Promise<void> {
  await store.delete(`${version}/${MANIFEST}`);
  for (const name of await store.list(`${version}/`)) await store.delete(name);
}

function checkManifest(m: Manifest, version: string, where: string): void {
  if (m.version !== version) throw new ArtifactError(`${where} names version "${m.version}", not "${version}"`);
  for (const name of Object.keys(m.files)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name === MANIFEST) throw new ArtifactError(`${where} lists a file named "${name}", which is not a plain file name`);
  }
}

function tempDir(cache: LocalRegistry, version: string): string {
  cache.ensureRoot();
  const tmp = join(cache.root, `.${version}.download-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(tmp);
  return tmp;
}

/** Puts `tmp` at `dir`, replacing a stub there (moved aside first so `dir` is never half-written). */
function replaceDir(tmp: string, dir: string): void {
  if (existsSync(dir)) {
    const trash = `${tmp}.old`;
    renameSync(dir, trash);
    renameSync(tmp, dir);
    rmSync(trash, { recursive: true, force: true });
  } else {
    renameSync(tmp, dir);
  }
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
