// Owns a server's view of a remote registry: it checks the remote ACTIVE pointer's ETag (one
// cheap metadata request per period), and when it moved, downloads the version it names into
// the local cache directory (every file checksum-verified), copies the history, then flips the
// local ACTIVE pointer — which the server's Reloader sees, so the ModelManager hot-swaps as it does
// for a local registry. A corrupt version is refused (logged once; not retried until the pointer
// moves again) and the current model keeps serving; a network error is retried next period.
// Versions it downloaded are removed once two newer ones have become active (the one serving
// and the one it replaced stay); nothing else in the directory is touched.

import { rmSync } from 'node:fs';
import { ArtifactError } from '../artifact.js';
import { POINTER, type LocalRegistry } from '../registry.js';
import type { ObjectStore } from './object-store.js';
import { RemoteRegistry } from './remote.js';
import { downloadVersion, isComplete } from './transfer.js';

export type FollowResult = 'unchanged' | 'updated' | 'none' | 'refused' | 'failed';

export interface FollowerLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface FollowerOptions {
  remote: ObjectStore;
  cache: LocalRegistry;
  /** Period of the ETag check, ms. */
  pollMs: number;
  log: FollowerLog;
}

export class ActiveFollower {
  private readonly registry: RemoteRegistry;
  /** The ETag of the remote pointer last acted on (updated, or refused as corrupt). */
  private seenEtag: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<FollowResult> | null = null;
  /** Versions this follower put in the cache (the only ones it removes again). */
  private readonly downloaded = new Set<string>();

  constructor(private readonly o: FollowerOptions) {
    this.registry = new RemoteRegistry(o.remote, o.cache);
  }

  /** Checks the remote pointer now; concurrent calls share one check. */
  syncNow(): Promise<FollowResult> {
    this.running ??= this.check().finally(() => (this.running = null));
    return this.running;
  }

  start(): void {
    this.timer = setInterval(() => void this.syncNow(), this.o.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  private async check(): Promise<FollowResult> {
    const { remote, cache, log } = this.o;
    let version: string | null = null;
    let pointerEtag: string | null = null;
    try {
      const etag = await remote.etag(POINTER);
      if (etag !== null && etag === this.seenEtag) return 'unchanged';
      const pointer = await this.registry.readPointer();
      version = pointer.version;
      pointerEtag = pointer.etag;
      if (version === null) {
        this.seenEtag = pointer.etag;
        return 'none';
      }
      const previous = cache.activeVersion();
      if (version === previous && isComplete(cache, version)) {
        this.seenEtag = pointer.etag;
        return 'unchanged';
      }
      if (!isComplete(cache, version)) {
        log.info({ version, registry: remote.description }, 'downloading the new active model from the registry');
        await downloadVersion(remote, cache, version);
        this.downloaded.add(version);
      }
      cache.writeHistory((await this.registry.readHistory()).events);
      cache.writePointer(version);
      this.seenEtag = pointer.etag;
      this.prune(version, previous);
      return 'updated';
    } catch (e) {
      if (e instanceof ArtifactError) {
        // Corrupt or inconsistent: refuse it until the pointer moves again; keep serving.
        this.seenEtag = pointerEtag;
        log.error({ err: e, version, registry: remote.description }, 'refused the active model in the registry; the current one keeps serving');
        return 'refused';
      }
      log.error({ err: e, registry: remote.description }, 'cannot check the registry for a new active model; will retry');
      return 'failed';
    }
  }

  /** Removes the versions this follower downloaded, except the active one and the one it replaced. */
  private prune(active: string, previous: string | null): void {
    for (const v of this.downloaded) {
      if (v === active || v === previous) continue;
      rmSync(this.o.cache.versionDir(v), { recursive: true, force: true });
      this.downloaded.delete(v);
    }
  }
}
