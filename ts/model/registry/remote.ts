// Owns keeping a local registry directory in step with a remote one (Azure Blob Storage): the
// remote is the source of truth, the directory its cache, and every registry rule (states,
// history, gate, rollback target, gc) runs once, in LocalRegistry, on the cache.
//
//   pull      copy the remote pointer, history and every manifest into the cache (stubs), and the
//             active version's files (checksum-verified), remembering the ETags read
//   push      send what an operation changed: new versions (files, then manifest), the pointer
//             (only if its ETag is still the one pulled), deleted versions, then the new history
//             events (appended under the history's ETag, re-read and retried when it moved)
//   change    pull → operation → push, rerun from a fresh pull when another writer moved the
//             pointer in between (so a decision is always made on the state it replaces)
//   publish   pull → a long operation (train, retrain) run once → push; a moved pointer is a clear
//             error saying which new versions were uploaded as candidates
//
// A version in the cache but not in the remote (trained, then a crash before the push) is uploaded
// by the next push, unless the remote history says it was deleted there, in which case the cache
// drops it too.

import { rmSync } from 'node:fs';
import { ArtifactError } from '../artifact.js';
import { HISTORY, parseHistory, POINTER, VERSION_PATTERN, type HistoryEvent, type LocalRegistry } from '../registry.js';
import { PreconditionFailedError, type ObjectStore, type WriteCondition } from './object-store.js';
import { deleteVersion, downloadVersion, isComplete, MANIFEST, uploadVersion, writeStub } from './transfer.js';

/** What a pull saw of the remote, which the push that follows builds on. */
export interface RemoteSnapshot {
  active: string | null;
  activeEtag: string | null;
  historyLength: number;
  versions: Set<string>;
  /** Problems that did not stop the pull (e.g. the active version's blobs are corrupt). */
  warnings: string[];
}

export interface PushResult {
  uploaded: string[];
  deleted: string[];
  pointerMoved: boolean;
  events: number;
}

/** Another writer moved the remote pointer after it was read. */
export class RegistryConflictError extends Error {
  override name = 'RegistryConflictError';
}

const HISTORY_RETRIES = 20;
const SETTLE_TRIES = 10;
const SETTLE_MS = 100;

/** Whether the history's last activation is the pointer's version (true when neither exists). */
function recorded(active: string | null, events: HistoryEvent[]): boolean {
  const last = events.filter((e) => e.action === 'activate').at(-1);
  return active === null ? last === undefined : last?.version === active;
}

export class RemoteRegistry {
  private snapshot: RemoteSnapshot | null = null;
  /** Warnings of the last pull. */
  warnings: string[] = [];

  constructor(
    readonly remote: ObjectStore,
    readonly cache: LocalRegistry,
    private readonly o: { retries?: number } = {},
  ) {}

  /** The remote pointer: its version (null when none) and ETag (null when it does not exist). */
  async readPointer(): Promise<{ version: string | null; etag: string | null }> {
    const got = await this.remote.get(POINTER);
    if (!got) return { version: null, etag: null };
    const version = got.data.toString('utf8').trim();
    if (version !== '' && !VERSION_PATTERN.test(version)) throw new ArtifactError(`${this.remote.description}/${POINTER} names "${version}", which is not a model version`);
    return { version: version === '' ? null : version, etag: got.etag };
  }

  /** The remote history and its ETag ([] and null when it does not exist). */
  async readHistory(): Promise<{ events: HistoryEvent[]; etag: string | null }> {
    const got = await this.remote.get(HISTORY);
    if (!got) return { events: [], etag: null };
    return { events: parseHistory(got.data.toString('utf8'), `${this.remote.description}/${HISTORY}`), etag: got.etag };
  }

  /** Version names with a manifest in the remote. */
  async remoteVersions(): Promise<Set<string>> {
    const names = await this.remote.list('');
    return new Set(
      names
        .filter((n) => n.endsWith(`/${MANIFEST}`) && n.split('/').length === 2)
        .map((n) => n.split('/')[0]!)
        .filter((v) => VERSION_PATTERN.test(v)),
    );
  }

  /** Makes the cache mirror the remote (see the module comment); returns what it saw. */
  async pull(): Promise<RemoteSnapshot> {
    const warnings: string[] = [];
    let pointer = await this.readPointer();
    let history = await this.readHistory();
    // A writer moves the pointer, then appends its history event: give one caught in between a
    // moment to finish, so the history this pull builds on records how the pointer got there.
    for (let i = 0; i < SETTLE_TRIES && !recorded(pointer.version, history.events); i++) {
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      pointer = await this.readPointer();
      history = await this.readHistory();
    }
    if (!recorded(pointer.version, history.events))
      warnings.push(`the history in ${this.remote.description} does not record how ${pointer.version} became active (an interrupted writer, or a pointer set by hand)`);
    const versions = await this.remoteVersions();
    const deletedRemotely = new Set(history.events.filter((e) => e.action === 'delete').map((e) => e.version));
    this.cache.ensureRoot();
    const cached = new Set(this.cache.versionNames());
    for (const v of versions) {
      if (cached.has(v)) continue;
      const m = await this.remote.get(`${v}/${MANIFEST}`);
      if (m) writeStub(this.cache, v, m.data);
    }
    for (const v of this.cache.versionNames()) {
      if (!versions.has(v) && deletedRemotely.has(v)) rmSync(this.cache.versionDir(v), { recursive: true, force: true });
    }
    if (pointer.version !== null && !isComplete(this.cache, pointer.version)) {
      if (!versions.has(pointer.version)) warnings.push(`${this.remote.description}/${POINTER} names ${pointer.version}, which has no manifest there`);
      else {
        try {
          await downloadVersion(this.remote, this.cache, pointer.version);
        } catch (e) {
          if (!(e instanceof ArtifactError)) throw e;
          warnings.push(`the active version ${pointer.version} cannot be used: ${e.message}`);
        }
      }
    }
    this.cache.writeHistory(history.events);
    this.cache.writePointer(pointer.version);
    this.warnings = warnings;
    this.snapshot = { active: pointer.version, activeEtag: pointer.etag, historyLength: history.events.length, versions, warnings };
    return this.snapshot;
  }

  /** Downloads the files of cached stubs (checksum-verified) so they can be activated or served. */
  async fetch(versions: Iterable<string>): Promise<void> {
    for (const v of versions) {
      if (!isComplete(this.cache, v)) await downloadVersion(this.remote, this.cache, v);
    }
  }

  /** Fetches the versions an operation names (unknown names are left for the operation to report). */
  private async fetchNeeded(fetch: ((reg: LocalRegistry) => Array<string | null>) | undefined): Promise<void> {
    const known = new Set(this.cache.versionNames());
    await this.fetch((fetch?.(this.cache) ?? []).filter((v): v is string => v !== null && known.has(v)));
  }

  /** Sends what changed in the cache since the last pull (see the module comment). */
  async push(): Promise<PushResult> {
    const snap = this.snapshot;
    if (!snap) throw new Error('push before pull: the remote state to build on is unknown');
    this.snapshot = null; // one push per pull
    const local = this.cache.versionNames();
    const uploaded = local.filter((v) => !snap.versions.has(v));
    for (const v of uploaded) await uploadVersion(this.remote, this.cache, v);

    const active = this.cache.activeVersion();
    const pointerMoved = active !== snap.active;
    if (pointerMoved) {
      const cond: WriteCondition = snap.activeEtag === null ? { ifNoneMatch: '*' } : { ifMatch: snap.activeEtag };
      try {
        if (active === null) throw new Error('an operation removed the active pointer, which the registry never does');
        await this.remote.put(POINTER, Buffer.from(active + '\n'), cond);
      } catch (e) {
        if (e instanceof PreconditionFailedError) throw this.conflict(snap, active);
        throw e;
      }
    }

    const deleted = [...snap.versions].filter((v) => !local.includes(v));
    if (deleted.length > 0) {
      // Deleting is decided on the pulled pointer: make sure no one moved it since.
      if (!pointerMoved && (await this.remote.etag(POINTER)) !== snap.activeEtag) throw this.conflict(snap, active);
      for (const v of deleted) await deleteVersion(this.remote, v);
    }

    const events = this.cache.history().slice(snap.historyLength);
    if (events.length > 0) await this.appendHistory(events);
    return { uploaded, deleted, pointerMoved, events: events.length };
  }

  /**
   * Runs a registry operation on a fresh mirror and pushes its effect; when another writer moved
   * the remote pointer in between, pulls again and reruns it (up to `retries` times, default 5).
   * `fetch` names the versions whose files the operation needs (e.g. the one it promotes).
   */
  async change<T>(op: (reg: LocalRegistry) => T, o: { fetch?: (reg: LocalRegistry) => Array<string | null> } = {}): Promise<T> {
    const retries = this.o.retries ?? 5;
    for (let attempt = 0; ; attempt++) {
      await this.pull();
      await this.fetchNeeded(o.fetch);
      const result = op(this.cache);
      try {
        await this.push();
        return result;
      } catch (e) {
        if (!(e instanceof RegistryConflictError) || attempt >= retries) throw e;
      }
    }
  }

  /** Pull, run `op` once (it may take long, like training), push. A moved pointer is an error. */
  async publish<T>(op: (reg: LocalRegistry) => Promise<T>, o: { fetch?: (reg: LocalRegistry) => Array<string | null> } = {}): Promise<T> {
    const before = new Set((await this.pull()).versions);
    await this.fetchNeeded(o.fetch);
    const result = await op(this.cache);
    try {
      await this.push();
    } catch (e) {
      const added = this.cache.versionNames().filter((v) => !before.has(v));
      if (e instanceof RegistryConflictError && added.length > 0) {
        throw new RegistryConflictError(
          `${e.message}. ${added.join(', ')} ${added.length > 1 ? 'were' : 'was'} uploaded and stay${added.length > 1 ? '' : 's'} a candidate: promote with "recs models promote ${added.at(-1)!}"`,
        );
      }
      throw e;
    }
    return result;
  }

  /** Appends events to the remote history under its ETag, re-reading it when another writer got there first. */
  private async appendHistory(events: HistoryEvent[]): Promise<void> {
    for (let attempt = 0; attempt < HISTORY_RETRIES; attempt++) {
      const current = await this.readHistory();
      const body = Buffer.from(JSON.stringify({ events: [...current.events, ...events] }, null, 2) + '\n');
      try {
        await this.remote.put(HISTORY, body, current.etag === null ? { ifNoneMatch: '*' } : { ifMatch: current.etag });
        return;
      } catch (e) {
        if (!(e instanceof PreconditionFailedError)) throw e;
      }
    }
    // Not a RegistryConflictError: the pointer may already have moved, so the operation must not rerun.
    throw new Error(`${this.remote.description}/${HISTORY} kept changing under ${HISTORY_RETRIES} attempts to append to it; the pointer change (if any) is in place, its history entry is not`);
  }

  private conflict(snap: RemoteSnapshot, wanted: string | null): RegistryConflictError {
    return new RegistryConflictError(
      `the active model in ${this.remote.description} changed while this command ran (it was ${snap.active ?? 'none'} when read; this command wanted ${wanted ?? 'none'}); nothing was overwritten`,
    );
  }
}
