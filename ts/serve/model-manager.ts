// Owns which model serves: loads the registry's active version (in the background, see
// ./loader.ts), swaps it in atomically (one reference assignment: a request holds the model it
// started on until it ends), and retires the old one. A version that fails to load (corrupt,
// truncated, unreadable) is logged and counted, the current model keeps serving, and that version
// is not retried until the pointer moves away from it and back.

import type { LocalRegistry } from '../model/registry.js';
import type { Logger } from './logger.js';
import { defaultLoadMode, loadPreparedModel, type LoadHandle, type LoadMode } from './loader.js';
import type { Metrics } from './metrics.js';
import type { PreparedModel } from './prepared.js';
import { ServingModel, type StoreFactory } from './serving-model.js';

export type LoadResult = 'loaded' | 'unchanged' | 'none' | 'failed';

export interface ModelManagerOptions {
  registry: LocalRegistry;
  createStore: StoreFactory;
  maxK: number;
  log: Logger;
  metrics: Metrics;
  loadMode?: LoadMode;
  /** Runs before a loaded version's store is built (e.g. reading the erasures it must mask); a rejection refuses the version. */
  beforeServe?: (p: PreparedModel) => Promise<void>;
  /** Runs just before a version serves (e.g. blocking the item catalogue's hidden items in its catalog). */
  prepareServe?: (m: ServingModel) => void;
  /** Runs before an experiment's variant serves (e.g. blocking the item catalogue's hidden items in its catalog). */
  prepareVariant?: (m: ServingModel) => void;
  /** Runs once a version serves (e.g. handing it to the fold-in worker). */
  onServe?: (m: ServingModel) => void;
}

export class ModelManager {
  current: ServingModel | null = null;
  private lastAttempted: string | null = null;
  private running: Promise<LoadResult> | null = null;
  private again = false;
  private handle: LoadHandle | null = null;
  private stopped = false;

  constructor(private readonly o: ModelManagerOptions) {}

  /**
   * Loads the active version if it is new. Calls made while a load runs are folded into one
   * more check after it; the promise settles when the model asked for is serving (or refused).
   */
  refresh(): Promise<LoadResult> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let result: LoadResult;
      do {
        this.again = false;
        result = await this.loadActive();
      } while (this.again && !this.stopped);
      this.running = null;
      return result;
    })();
    return this.running;
  }

  /** Stops loading (a load in progress is abandoned) and closes every model's store. */
  async close(): Promise<void> {
    this.stopped = true;
    this.handle?.cancel();
    await this.running?.catch(() => {});
    await this.current?.retire();
  }

  /**
   * Loads `version` as the active one is loaded (checked, erasures masked, the catalogue's hidden
   * items blocked) without serving it: an experiment's variant (./experiments.ts). Null when the
   * manager stopped meanwhile.
   */
  async loadVersion(version: string): Promise<ServingModel | null> {
    return this.prepare(version, () => {}, true);
  }

  private async prepare(version: string, onHandle: (h: LoadHandle) => void, variant = false): Promise<ServingModel | null> {
    const dir = this.o.registry.versionDir(version);
    const handle = loadPreparedModel(dir, this.o.loadMode ?? defaultLoadMode());
    onHandle(handle);
    const prepared = await handle.promise;
    if (this.stopped) return null;
    if (prepared.manifest.version !== version) throw new Error(`${dir}: its manifest names version "${prepared.manifest.version}"`);
    await this.o.beforeServe?.(prepared);
    if (this.stopped) return null;
    const next = new ServingModel(prepared, this.o.createStore, this.o.maxK, (e) => this.o.log.error({ err: e, version }, 'closing a retired store failed'));
    if (variant) this.o.prepareVariant?.(next);
    else this.o.prepareServe?.(next);
    return next;
  }

  private async loadActive(): Promise<LoadResult> {
    const { registry, log, metrics } = this.o;
    let version: string | null;
    try {
      version = registry.activeVersion();
    } catch (e) {
      log.error({ err: e, pointer: registry.pointerPath }, 'cannot read the active model pointer');
      return 'failed';
    }
    if (version === null) return 'none';
    if (version === this.current?.version || version === this.lastAttempted) return 'unchanged';
    this.lastAttempted = version;
    const started = performance.now();
    const previous = this.current?.version ?? null;
    log.info({ version, previous }, previous ? 'loading the new active model in the background' : 'loading the active model');
    try {
      const loader = this.o.loadMode ?? defaultLoadMode();
      const next = await this.prepare(version, (h) => (this.handle = h));
      if (next === null) return 'unchanged';
      const { prepared } = next;
      const old = this.current;
      this.current = next;
      void old?.retire();
      this.o.onServe?.(next);
      metrics.setModel({ version, store: next.store.kind, users: prepared.table.users.offsets.length - 1, items: prepared.itemCount, loadedAt: next.loadedAt });
      if (previous) metrics.countReload('success');
      log.info(
        { version, previous, loader, users: prepared.table.users.offsets.length - 1, items: prepared.itemCount, seconds: Math.round(performance.now() - started) / 1000 },
        previous ? 'swapped in the new model' : 'model loaded',
      );
      return 'loaded';
    } catch (e) {
      if (this.stopped) return 'unchanged';
      metrics.countReload('failure');
      log.error({ err: e, version, serving: previous }, previous ? 'refused the new active model; the previous one keeps serving' : 'cannot load the active model');
      return 'failed';
    } finally {
      this.handle = null;
    }
  }
}
