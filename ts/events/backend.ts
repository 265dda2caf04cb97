// Owns what an event-store back end is to the rest of the system (EventStoreBackend): its kind,
// its configuration from the environment, how it opens, and how it is named in messages. Each back
// end implements it once under ./backends/ and is listed in ./registry.ts.

import type { Agent } from 'node:https';
import type { EventStore } from './types.js';

export interface EventStoreBackend<C extends { kind: K }, K extends string = string> {
  /** RECS_EVENTS_STORE / --events-store value. */
  readonly kind: K;
  /** One line for --help texts. */
  readonly summary: string;
  /** The configuration from `env`; `file` is the file a command names for a file-based store (SQLite). Throws StoreConfigError. */
  config(env: NodeJS.ProcessEnv, file: string): C;
  /**
   * Opens the store. `writer` 'thread' (the server) may write on a writer thread; 'inline' (a
   * one-off job such as training's merge) writes on the calling thread and starts none.
   */
  open(cfg: C, extra: { agent?: Agent }, writer: 'thread' | 'inline'): Promise<EventStore>;
  /** Where the store is, for messages and the manifest. */
  describe(cfg: C): string;
}
