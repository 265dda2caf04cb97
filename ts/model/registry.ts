// Owns the local model registry: a directory of immutable version directories, an ACTIVE
// pointer file naming the version that serves, and HISTORY.json, the log of activations, gate
// decisions and deletions (from which each version's state and the rollback target follow).
// The pointer and the history are replaced atomically (write to a temporary file, then rename),
// so a watcher never reads half a name.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest, ArtifactError } from './artifact.js';
import { verifyArtifact } from './artifact-slice.js';
import type { Manifest } from './manifest.js';

/** The names of the pointer and the history, in a directory and in a remote registry alike. */
export const POINTER = 'ACTIVE';
export const HISTORY = 'HISTORY.json';

export type VersionState = 'candidate' | 'active' | 'retired';

export interface HistoryEvent {
  at: string;
  /** activate: the pointer moved (promote, rollback, train); refuse: the gate kept a candidate; delete: gc. */
  action: 'activate' | 'refuse' | 'delete';
  version: string;
  /** For activate: the version active before (null when none). */
  from?: string | null;
  /** For activate: how (promote, force, rollback, train, gate). */
  via?: string;
  reason?: string;
}

export interface VersionInfo {
  version: string;
  state: VersionState;
  manifest: Manifest;
}

/** The events of a HISTORY.json text; `where` names it in errors. */
export function parseHistory(text: string, where: string): HistoryEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ArtifactError(`${where}: cannot read the registry history: ${(e as Error).message}`);
  }
  const events = (parsed as { events?: unknown } | null)?.events;
  if (!Array.isArray(events)) throw new ArtifactError(`${where}: the registry history has no "events" list`);
  return events as HistoryEvent[];
}

export class UnknownVersionError extends ArtifactError {
  override name = 'UnknownVersionError';
}
export const VERSION_PATTERN = /^v[0-9A-Za-z._-]+$/;

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

  /**
   * Makes `version` the active one. It must exist and have a manifest; `verify` also checks every
   * file's checksum first (a corrupt artifact is refused and the pointer is left alone).
   */
  activate(version: string, opts: { verify?: boolean; via?: string; reason?: string } = {}): void {
    const dir = this.versionDir(version);
    if (!existsSync(join(dir, 'manifest.json'))) {
      throw new UnknownVersionError(`unknown model version "${version}": ${dir} has no manifest`);
    }
    readManifest(dir);
    if (opts.verify) {
      try {
        verifyArtifact(dir); // streamed: constant memory at any size
      } catch (e) {
        throw new ArtifactError(`refusing to activate ${version}: ${(e as Error).message}; the active version is unchanged`);
      }
    }
    const from = this.activeVersion();
    this.writePointer(version);
    if (from !== version) this.record({ action: 'activate', version, from, via: opts.via ?? 'activate', ...(opts.reason ? { reason: opts.reason } : {}) });
  }

  /** The manifest of `version`, or an UnknownVersionError naming the known versions. */
  manifest(version: string): Manifest {
    const dir = this.versionDir(version);
    if (!existsSync(join(dir, 'manifest.json'))) {
      const known = this.versionNames();
      throw new UnknownVersionError(`unknown model version "${version}"; known: ${known.length ? known.join(', ') : '(none)'}`);
    }
    return readManifest(dir);
  }

  /** Version names with a manifest, oldest first. */
  versionNames(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root)
      .filter((n) => VERSION_PATTERN.test(n) && existsSync(join(this.root, n, 'manifest.json')))
      .sort();
  }

  /** Active if the pointer names it, retired if it was active before, otherwise a candidate. */
  state(version: string): VersionState {
    if (this.activeVersion() === version) return 'active';
    return this.history().some((e) => e.action === 'activate' && e.version === version) ? 'retired' : 'candidate';
  }

  /** Every version with its state and manifest, oldest first. */
  infos(): VersionInfo[] {
    const active = this.activeVersion();
    const wasActive = new Set(
      this.history()
        .filter((e) => e.action === 'activate')
        .map((e) => e.version),
    );
    return this.list().map((m) => ({
      version: m.version,
      manifest: m,
      state: m.version === active ? 'active' : wasActive.has(m.version) ? 'retired' : 'candidate',
    }));
  }

  /** The history of activations, refusals and deletions, oldest first ([] when none). */
  history(): HistoryEvent[] {
    const p = join(this.root, HISTORY);
    if (!existsSync(p)) return [];
    return parseHistory(readFileSync(p, 'utf8'), p);
  }

  /** Appends an event to the history (atomically replaced). */
  record(e: Omit<HistoryEvent, 'at'>): void {
    this.writeHistory([...this.history(), { at: new Date().toISOString(), ...e }]);
  }

  /**
   * Replaces the pointer (atomically) without recording anything; null removes it. For mirrors
   * of a remote registry, which copy the remote's pointer and history as they are.
   */
  writePointer(version: string | null): void {
    this.ensureRoot();
    if (version === null) {
      rmSync(this.pointerPath, { force: true });
      return;
    }
    this.versionDir(version);
    const tmp = join(this.root, `.${POINTER}.tmp-${process.pid}`);
    writeFileSync(tmp, version + '\n');
    renameSync(tmp, this.pointerPath);
  }

  /** Replaces the whole history (atomically). */
  writeHistory(events: HistoryEvent[]): void {
    this.ensureRoot();
    const tmp = join(this.root, `.${HISTORY}.tmp-${process.pid}`);
    writeFileSync(tmp, JSON.stringify({ events }, null, 2) + '\n');
    renameSync(tmp, join(this.root, HISTORY));
  }

  /**
   * The version active before the current one (what `rollback` returns to): the `from` of the
   * latest activation of the current version, if that version still exists. Null when none.
   */
  previousActive(): string | null {
    const active = this.activeVersion();
    if (active === null) return null;
    const last = this.history()
      .filter((e) => e.action === 'activate' && e.version === active)
      .at(-1);
    const prev = last?.from ?? null;
    if (prev === null || prev === active) return null;
    return existsSync(join(this.root, prev, 'manifest.json')) ? prev : null;
  }

  /** Makes `version` active after verifying every checksum. */
  promote(version: string, opts: { force?: boolean; reason?: string } = {}): void {
    this.manifest(version);
    this.activate(version, { verify: true, via: opts.force ? 'force' : 'promote', ...(opts.reason ? { reason: opts.reason } : {}) });
  }

  /** Returns to the previous active version (verified); returns its name. */
  rollback(): string {
    const active = this.activeVersion();
    if (active === null) throw new ArtifactError('nothing to roll back: no version is active');
    const prev = this.previousActive();
    if (prev === null) throw new ArtifactError(`nothing to roll back to: no earlier active version of ${active} is recorded`);
    this.activate(prev, { verify: true, via: 'rollback', reason: `rolled back from ${active}` });
    return prev;
  }

  /**
   * Deletes all but the `keep` newest versions, never the active or the previous active one.
   * Returns the deleted names.
   */
  gc(keep: number): string[] {
    if (!Number.isInteger(keep) || keep < 0) throw new ArtifactError(`gc: keep must be a whole number ≥ 0, got ${keep}`);
    const names = this.versionNames();
    const protect = new Set([this.activeVersion(), this.previousActive()].filter((v): v is string => v !== null));
    const newest = new Set(names.slice(Math.max(0, names.length - keep)));
    const doomed = names.filter((n) => !protect.has(n) && !newest.has(n));
    for (const v of doomed) {
      // Rename first so a half-deleted directory never looks like a version.
      const trash = join(this.root, `.${v}.deleting-${process.pid}`);
      renameSync(join(this.root, v), trash);
      rmSync(trash, { recursive: true, force: true });
      this.record({ action: 'delete', version: v, reason: `gc --keep ${keep}` });
    }
    return doomed;
  }
}
