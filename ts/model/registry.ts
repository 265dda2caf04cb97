// Owns the local model registry: a directory of immutable version directories and an ACTIVE
// pointer file naming the version that serves. The pointer is replaced atomically (write to a
// temporary file, then rename), so a watcher never reads half a name.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest, ArtifactError } from './artifact.js';
import type { Manifest } from './manifest.js';

const POINTER = 'ACTIVE';
const VERSION_PATTERN = /^v[0-9A-Za-z._-]+$/;

export class LocalRegistry {
  constructor(readonly root: string) {}

  /** The directory a new version is written to. */
  versionDir(version: string): string {
    if (!VERSION_PATTERN.test(version)) throw new ArtifactError(`"${version}" is not a valid model version name`);
    return join(this.root, version);
  }

  ensureRoot(): void {
    mkdirSync(this.root, { recursive: true });
  }

  /** Every version with a readable manifest, oldest first. */
  list(): Manifest[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root)
      .filter((n) => VERSION_PATTERN.test(n) && existsSync(join(this.root, n, 'manifest.json')))
      .sort()
      .map((n) => readManifest(join(this.root, n)));
  }

  /** The active version's name, or null when none is active. */
  activeVersion(): string | null {
    const p = join(this.root, POINTER);
    if (!existsSync(p)) return null;
    const v = readFileSync(p, 'utf8').trim();
    return v === '' ? null : v;
  }

  /** The path of the pointer file (servers watch it). */
  get pointerPath(): string {
    return join(this.root, POINTER);
  }

  /** Makes `version` the active one. It must exist and have a manifest. */
  activate(version: string): void {
    const dir = this.versionDir(version);
    readManifest(dir);
    this.ensureRoot();
    const tmp = join(this.root, `.${POINTER}.tmp-${process.pid}`);
    writeFileSync(tmp, version + '\n');
    renameSync(tmp, this.pointerPath);
  }
}
