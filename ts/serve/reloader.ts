// Owns noticing that the active model changed: fs.watch on the registry directory (the pointer
// is replaced by a rename, which the directory sees) plus a periodic check as a fallback for file
// systems where watching is unreliable (network and some container mounts). Either one calls
// `onChange`, debounced; deciding whether the version is new is the model manager's job.

import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from './logger.js';

export interface ReloaderOptions {
  pointerPath: string;
  /** Fallback check period (ms). */
  pollMs: number;
  log: Logger;
  onChange: () => unknown;
}

export class Reloader {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;

  constructor(private readonly o: ReloaderOptions) {}

  start(): void {
    this.watchDir();
    this.timer = setInterval(() => {
      if (!this.watcher) this.watchDir();
      this.fire();
    }, this.o.pollMs);
    this.timer.unref();
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.timer = this.debounce = null;
  }

  private watchDir(): void {
    const dir = dirname(this.o.pointerPath);
    if (!existsSync(dir)) return;
    const name = basename(this.o.pointerPath);
    try {
      this.watcher = watch(dir, { persistent: false }, (_event, file) => {
        if (file === null || file === name) this.schedule();
      });
      this.watcher.on('error', (e) => {
        this.o.log.warn({ err: e, dir }, 'watching the models directory failed; relying on the periodic check');
        this.watcher?.close();
        this.watcher = null;
      });
    } catch (e) {
      this.o.log.warn({ err: e, dir }, 'cannot watch the models directory; relying on the periodic check');
    }
  }

  private schedule(): void {
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.fire();
    }, 25);
    this.debounce.unref();
  }

  private fire(): void {
    try {
      void Promise.resolve(this.o.onChange()).catch((e: unknown) => this.o.log.error({ err: e }, 'model reload check failed'));
    } catch (e) {
      this.o.log.error({ err: e }, 'model reload check failed');
    }
  }
}
