// Owns the embedded event store: one SQLite file through better-sqlite3, in WAL mode with
// synchronous=FULL, so a batch is on disk (fsync on commit) before append() resolves. A batch is
// one transaction of INSERT OR IGNORE: idempotent by eventId, never half-applied.

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { AppendResult, EventStore, EventType, TrackedEvent } from './types.js';

/** The part of better-sqlite3's API used here (the package ships no types). */
interface Statement {
  run(...params: unknown[]): { changes: number };
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}
interface Database {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): void;
  prepare(source: string): Statement;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
  readonly open: boolean;
}
type DatabaseCtor = new (path: string) => Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  eventId TEXT PRIMARY KEY,
  userId TEXT NOT NULL,
  itemId TEXT NOT NULL,
  type TEXT NOT NULL,
  value REAL NOT NULL,
  timestamp INTEGER NOT NULL,
  receivedAt INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_by_user ON events (userId, timestamp);
CREATE TABLE IF NOT EXISTS erased_users (
  userId TEXT PRIMARY KEY,
  erasedAt INTEGER NOT NULL
) WITHOUT ROWID;
`;

interface Row {
  eventId: string;
  userId: string;
  itemId: string;
  type: string;
  value: number;
  timestamp: number;
  receivedAt: number;
}

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';
  private readonly db: Database;
  private readonly insertBatch: (events: readonly TrackedEvent[]) => number;
  private readonly selectUser: Statement;
  private readonly eraseUser: (userId: string, at: number) => number;
  private readonly selectAll: Statement;
  private readonly selectErased: Statement;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const Ctor = createRequire(import.meta.url)('better-sqlite3') as DatabaseCtor;
    this.db = new Ctor(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const insert = this.db.prepare('INSERT OR IGNORE INTO events (eventId, userId, itemId, type, value, timestamp, receivedAt) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.insertBatch = this.db.transaction((events: readonly TrackedEvent[]) => {
      let n = 0;
      for (const e of events) n += insert.run(e.eventId, e.userId, e.itemId, e.type, e.value, e.timestamp, e.receivedAt).changes;
      return n;
    });
    this.selectUser = this.db.prepare('SELECT eventId, userId, itemId, type, value, timestamp, receivedAt FROM events WHERE userId = ? ORDER BY timestamp, receivedAt, eventId');
    const del = this.db.prepare('DELETE FROM events WHERE userId = ?');
    const remember = this.db.prepare('INSERT INTO erased_users (userId, erasedAt) VALUES (?, ?) ON CONFLICT (userId) DO UPDATE SET erasedAt = excluded.erasedAt');
    this.eraseUser = this.db.transaction((userId: string, at: number) => {
      const n = del.run(userId).changes;
      remember.run(userId, at);
      return n;
    });
    this.selectAll = this.db.prepare('SELECT eventId, userId, itemId, type, value, timestamp, receivedAt FROM events ORDER BY userId, timestamp, receivedAt, eventId');
    this.selectErased = this.db.prepare('SELECT userId, erasedAt FROM erased_users ORDER BY userId');
  }

  /** The journal mode and synchronous level in force (tests check them). */
  settings(): { journalMode: string; synchronous: number } {
    return { journalMode: String(this.db.pragma('journal_mode', { simple: true })), synchronous: Number(this.db.pragma('synchronous', { simple: true })) };
  }

  append(events: readonly TrackedEvent[]): Promise<AppendResult> {
    try {
      const accepted = events.length === 0 ? 0 : this.insertBatch(events);
      return Promise.resolve({ accepted, duplicates: events.length - accepted });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  forUser(userId: string): Promise<TrackedEvent[]> {
    try {
      const rows = this.selectUser.all(userId) as Row[];
      return Promise.resolve(rows.map((r) => ({ ...r, type: r.type as EventType })));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Every stored event, grouped by user (userId order), each user's oldest first; streamed. */
  *scan(): IterableIterator<TrackedEvent> {
    for (const r of this.selectAll.iterate() as IterableIterator<Row>) yield { ...r, type: r.type as EventType };
  }

  /** Users erased with deleteUser, and when (ms since the epoch; the latest erasure). */
  erasedUsers(): Map<string, number> {
    const rows = this.selectErased.all() as Array<{ userId: string; erasedAt: number }>;
    return new Map(rows.map((r) => [r.userId, r.erasedAt]));
  }

  erased(): Promise<Map<string, number>> {
    try {
      return Promise.resolve(this.erasedUsers());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async *all(): AsyncIterable<TrackedEvent> {
    yield* this.scan();
  }

  /** Erases the user's events and remembers the user as erased (training leaves them out; see erasedUsers). */
  deleteUser(userId: string): Promise<number> {
    try {
      return Promise.resolve(this.eraseUser(userId, Date.now()));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}
