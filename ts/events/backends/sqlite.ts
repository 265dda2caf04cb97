// Owns the SQLite event-store back end: one file on one machine (the server writes through a
// writer thread with group commit, ../sqlite-offthread.ts; one-off jobs open it inline).

import type { EventStoreBackend } from '../backend.js';
import { OffThreadSqliteStore } from '../sqlite-offthread.js';
import { SqliteEventStore } from '../sqlite.js';

export interface SqliteEventsConfig {
  kind: 'sqlite';
  path: string;
}

export const sqliteEvents: EventStoreBackend<SqliteEventsConfig, 'sqlite'> = {
  kind: 'sqlite',
  summary: 'a SQLite file (one machine)',
  config: (_env, file) => ({ kind: 'sqlite', path: file }),
  open: async (cfg, _extra, writer) => (writer === 'thread' ? new OffThreadSqliteStore(cfg.path) : new SqliteEventStore(cfg.path)),
  describe: (cfg) => cfg.path,
};
