// Owns the embedded event store: one SQLite file through better-sqlite3, in WAL mode with
// synchronous=FULL, so a batch is on disk (fsync on commit) before append() resolves. A batch is
// one transaction of INSERT OR IGNORE: idempotent by eventId, never half-applied. In the same
// transaction each event is checked against the one stored under its eventId (different content: a
// conflict) and against its user's erasure (dated before it: a replay, a conflict); a batch
// with a conflict stores nothing. Erasures, item records and events (by receivedAt) are indexed by
// time, so replicas read only new ones; an item record is one row (its JSON), replaced only by a change as new or newer.
// Impressions are rows keyed by (recommendationId, position), INSERT OR IGNORE (a resend is a
// duplicate). Columns added later (an event's recommendationId, position) are added on open.

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { itemFromJson, itemJson, newestPerItem, type ItemRecord } from './catalogue.js';
import type { Impression, ImpressionResult } from './impressions.js';
import { erasedConflict, reusedIdConflict, sameEvent, type AppendConflict, type AppendNewUsers, type AppendResult, type EventStore, type EventType, type TrackedEvent } from './types.js';

/** The part of better-sqlite3's API used here (the package ships no types). */
export interface Statement {
  run(...params: unknown[]): { changes: number };
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}
export interface Database {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): void;
  prepare(source: string): Statement;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
  readonly open: boolean;
}
export type DatabaseCtor = new (path: string, options?: { readonly?: boolean; fileMustExist?: boolean }) => Database;
export interface Getter {
  get(...params: unknown[]): unknown;
}

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
CREATE INDEX IF NOT EXISTS events_by_received ON events (receivedAt);
CREATE TABLE IF NOT EXISTS erased_users (
  userId TEXT PRIMARY KEY,
  erasedAt INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS erased_by_time ON erased_users (erasedAt);
CREATE TABLE IF NOT EXISTS items (
  itemId TEXT PRIMARY KEY,
  doc TEXT NOT NULL,
  updatedAt INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_by_time ON items (updatedAt);
CREATE TABLE IF NOT EXISTS impressions (
  recommendationId TEXT NOT NULL,
  position INTEGER NOT NULL,
  userId TEXT NOT NULL,
  itemId TEXT NOT NULL,
  shownAt INTEGER NOT NULL,
  receivedAt INTEGER NOT NULL,
  PRIMARY KEY (recommendationId, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS impressions_by_time ON impressions (shownAt);
CREATE INDEX IF NOT EXISTS impressions_by_user ON impressions (userId);
`;

/** Columns added after the first schema (a file written before them gets them on open). */
const ADDED_COLUMNS: ReadonlyArray<[table: string, column: string, type: string]> = [
  ['events', 'recommendationId', 'TEXT'],
  ['events', 'position', 'INTEGER'],
];

/** An event row's columns, in the order of Row. */
export const COLUMNS = 'eventId, userId, itemId, type, value, timestamp, receivedAt, recommendationId, position';

export interface Row {
  eventId: string;
  userId: string;
  itemId: string;
  type: string;
  value: number;
  timestamp: number;
  receivedAt: number;
  recommendationId: string | null;
  position: number | null;
}

/** A stored row as an event (the optional recommendation fields only when set). */
export function eventOf(r: Row): TrackedEvent {
  const { recommendationId, position, ...rest } = r;
  return { ...rest, type: r.type as EventType, ...(recommendationId !== null && { recommendationId }), ...(position !== null && { position }) };
}

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';
  private readonly db: Database;
  private readonly insertBatch: (events: readonly TrackedEvent[], tellNew: boolean) => AppendNewUsers;
  private readonly selectUser: Statement;
  private readonly eraseUser: (userId: string, at: number, remember: boolean) => number;
  private readonly inOneCommit: <R>(f: () => R) => R;
  private readonly selectAll: Statement;
  private selectReceived: Statement | null = null;
  private readonly selectErased: Statement;
  private readonly selectErasedSince: Statement;
  private readonly upsertItems: (items: readonly ItemRecord[]) => number;
  private itemStatements: { one: Getter; all: Statement; since: Statement } | null = null;
  private readonly insertImpressions: (rows: readonly Impression[]) => ImpressionResult;
  private readonly selectImpressions: Statement;

  /** `readonly`: a second connection that only reads (the fold-in worker's); the file must exist. */
  constructor(
    readonly path: string,
    opts: { readonly?: boolean } = {},
  ) {
    if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
    const Ctor = createRequire(import.meta.url)('better-sqlite3') as DatabaseCtor;
    this.db = opts.readonly ? new Ctor(path, { readonly: true, fileMustExist: true }) : new Ctor(path);
    this.db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.exec(SCHEMA);
      for (const [table, column, type] of ADDED_COLUMNS) {
        const has = (this.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).some((c) => c.name === column);
        if (!has) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
      }
    }
    const cols = COLUMNS;
    this.selectUser = this.db.prepare(`SELECT ${cols} FROM events WHERE userId = ? ORDER BY timestamp, receivedAt, eventId`);
    this.selectAll = this.db.prepare(`SELECT ${cols} FROM events ORDER BY userId, timestamp, receivedAt, eventId`);
    this.selectErased = this.db.prepare('SELECT userId, erasedAt FROM erased_users ORDER BY userId');
    this.selectErasedSince = this.db.prepare('SELECT userId, erasedAt FROM erased_users WHERE erasedAt >= ? ORDER BY erasedAt');
    this.selectImpressions = this.db.prepare('SELECT recommendationId, position, userId, itemId, shownAt, receivedAt FROM impressions WHERE shownAt >= ? ORDER BY shownAt, recommendationId, position');
    if (opts.readonly) {
      const refuse = () => {
        throw new Error(`${path}: opened read-only`);
      };
      this.insertBatch = refuse;
      this.eraseUser = refuse;
      this.inOneCommit = refuse;
      this.upsertItems = refuse;
      this.insertImpressions = refuse;
      return;
    }
    const insert = this.db.prepare(`INSERT OR IGNORE INTO events (${cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const impression = this.db.prepare('INSERT OR IGNORE INTO impressions (recommendationId, position, userId, itemId, shownAt, receivedAt) VALUES (?, ?, ?, ?, ?, ?)');
    this.insertImpressions = this.db.transaction((rows: readonly Impression[]) => {
      const accepted = rows.reduce((n, i) => n + impression.run(i.recommendationId, i.position, i.userId, i.itemId, i.shownAt, i.receivedAt).changes, 0);
      return { accepted, duplicates: rows.length - accepted };
    });
    const byId = this.db.prepare(`SELECT ${cols} FROM events WHERE eventId = ?`) as unknown as Getter;
    const erasedAt = this.db.prepare('SELECT erasedAt FROM erased_users WHERE userId = ?') as unknown as Getter;
    // the user's erasure time and whether they have stored events, in one statement
    const userState = this.db.prepare('SELECT (SELECT erasedAt FROM erased_users WHERE userId = ?) AS erasedAt, EXISTS (SELECT 1 FROM events WHERE userId = ?) AS stored') as unknown as Getter;
    const rollback = new Error('rollback');
    this.insertBatch = (events, tellNew) => {
      const conflicts: AppendConflict[] = [];
      const newUsers: number[] = [];
      try {
        return this.db.transaction(() => {
          const erasure = new Map<string, number | undefined>();
          let accepted = 0;
          events.forEach((e, index) => {
            if (!erasure.has(e.userId)) {
              if (tellNew) {
                const u = userState.get(e.userId, e.userId) as { erasedAt: number | null; stored: number };
                erasure.set(e.userId, u.erasedAt ?? undefined);
                // read before this append's rows of the user: none stored means the append holds them all
                if (u.stored === 0) newUsers.push(index);
              } else erasure.set(e.userId, (erasedAt.get(e.userId) as { erasedAt: number } | undefined)?.erasedAt);
            }
            const at = erasure.get(e.userId);
            if (at !== undefined && e.timestamp < at) return void conflicts.push(erasedConflict(index, e, at));
            // stored now unless the eventId is (a duplicate, or a conflict when the content differs)
            if (insert.run(e.eventId, e.userId, e.itemId, e.type, e.value, e.timestamp, e.receivedAt, e.recommendationId ?? null, e.position ?? null).changes > 0) return void accepted++;
            const stored = byId.get(e.eventId) as Row;
            if (!sameEvent(stored as TrackedEvent, e)) conflicts.push(reusedIdConflict(index, e, stored as TrackedEvent));
          });
          if (conflicts.length > 0) throw rollback;
          return { accepted, duplicates: events.length - accepted, newUsers };
        })();
      } catch (e) {
        if (e === rollback) return { accepted: 0, duplicates: 0, conflicts, newUsers: [] };
        throw e;
      }
    };
    const del = this.db.prepare('DELETE FROM events WHERE userId = ?');
    const delImpressions = this.db.prepare('DELETE FROM impressions WHERE userId = ?');
    const remember = this.db.prepare('INSERT INTO erased_users (userId, erasedAt) VALUES (?, ?) ON CONFLICT (userId) DO UPDATE SET erasedAt = excluded.erasedAt');
    this.inOneCommit = <R>(f: () => R): R => this.db.transaction(f)();
    const putItem = this.db.prepare(
      'INSERT INTO items (itemId, doc, updatedAt) VALUES (?, ?, ?) ON CONFLICT (itemId) DO UPDATE SET doc = excluded.doc, updatedAt = excluded.updatedAt WHERE excluded.updatedAt >= items.updatedAt',
    );
    this.upsertItems = this.db.transaction((items: readonly ItemRecord[]) => newestPerItem(items).reduce((n, r) => n + putItem.run(r.itemId, itemJson(r), r.updatedAt).changes, 0));
    this.eraseUser = this.db.transaction((userId: string, at: number, always: boolean) => {
      delImpressions.run(userId);
      const n = del.run(userId).changes;
      if (n > 0 || always) remember.run(userId, at);
      return n;
    });
  }

  /** The journal mode and synchronous level in force (tests check them). */
  settings(): { journalMode: string; synchronous: number } {
    return { journalMode: String(this.db.pragma('journal_mode', { simple: true })), synchronous: Number(this.db.pragma('synchronous', { simple: true })) };
  }

  append(events: readonly TrackedEvent[]): Promise<AppendResult> {
    return this.now(() => this.appendNow(events));
  }

  /**
   * Runs writes (append, deleteUser calls) as one transaction: one fsync for all of them (group
   * commit). Each append inside is its own savepoint, so a batch with a conflict still stores
   * nothing of itself and leaves the others alone.
   */
  writeTogether<R>(f: () => R): R {
    return this.inOneCommit(f);
  }

  /** append() without the promise. */
  appendNow(events: readonly TrackedEvent[]): AppendResult {
    if (events.length === 0) return { accepted: 0, duplicates: 0 };
    const { newUsers: _, ...r } = this.insertBatch(events, false);
    return r;
  }

  appendTellingNew(events: readonly TrackedEvent[]): Promise<AppendNewUsers> {
    return this.now(() => this.appendTellingNewNow(events));
  }

  /** appendTellingNew() without the promise. */
  appendTellingNewNow(events: readonly TrackedEvent[]): AppendNewUsers {
    return events.length === 0 ? { accepted: 0, duplicates: 0, newUsers: [] } : this.insertBatch(events, true);
  }

  /** deleteUser() without the promise. */
  deleteUserNow(userId: string, opts: { remember?: boolean } = {}): number {
    return this.eraseUser(userId, Date.now(), opts.remember ?? false);
  }

  forUser(userId: string): Promise<TrackedEvent[]> {
    return this.now(() => this.eventsOf(userId));
  }

  /** The user's events, oldest first, read now (forUser without the promise). */
  eventsOf(userId: string): TrackedEvent[] {
    return (this.selectUser.all(userId) as Row[]).map(eventOf);
  }

  /** Events received at or after `since` (ms), in the order received, read now (replicas learn new items from them). */
  receivedSince(since: number): TrackedEvent[] {
    this.selectReceived ??= this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE receivedAt >= ? ORDER BY receivedAt, eventId`);
    return (this.selectReceived.all(since) as Row[]).map(eventOf);
  }

  received(since: number): Promise<TrackedEvent[]> {
    return this.now(() => this.receivedSince(since));
  }

  /** Every stored event, grouped by user (userId order), each user's oldest first; streamed. */
  *scan(): IterableIterator<TrackedEvent> {
    for (const r of this.selectAll.iterate() as IterableIterator<Row>) yield eventOf(r);
  }

  /** Users erased with deleteUser, and when (ms since the epoch; the latest erasure); those erased at or after `since` when given. */
  erasedUsers(since?: number): Map<string, number> {
    const rows = (since === undefined ? this.selectErased.all() : this.selectErasedSince.all(since)) as Array<{ userId: string; erasedAt: number }>;
    return new Map(rows.map((r) => [r.userId, r.erasedAt]));
  }

  erased(since?: number): Promise<Map<string, number>> {
    return this.now(() => this.erasedUsers(since));
  }

  async *all(): AsyncIterable<TrackedEvent> {
    yield* this.scan();
  }

  /** Erases the user's events and, when there were some or `remember` is set, remembers the user as erased (training leaves them out; see erasedUsers). */
  deleteUser(userId: string, opts: { remember?: boolean } = {}): Promise<number> {
    return this.now(() => this.deleteUserNow(userId, opts));
  }

  /** putItems() without the promise (one transaction). */
  putItemsNow(items: readonly ItemRecord[]): number {
    return items.length === 0 ? 0 : this.upsertItems(items);
  }

  putItems(items: readonly ItemRecord[]): Promise<number> {
    return this.now(() => this.putItemsNow(items));
  }

  /** The item statements, prepared on first use (a read-only connection to an older file may lack the table). */
  private get itemSql(): { one: Getter; all: Statement; since: Statement } {
    return (this.itemStatements ??= {
      one: this.db.prepare('SELECT doc FROM items WHERE itemId = ?') as unknown as Getter,
      all: this.db.prepare('SELECT doc FROM items ORDER BY updatedAt, itemId'),
      since: this.db.prepare('SELECT doc FROM items WHERE updatedAt >= ? ORDER BY updatedAt, itemId'),
    });
  }

  /** Item records changed at or after `since` (all when not given), oldest change first, read now. */
  itemsNow(since?: number): ItemRecord[] {
    const rows = (since === undefined ? this.itemSql.all.all() : this.itemSql.since.all(since)) as Array<{ doc: string }>;
    return rows.map((r) => itemFromJson(r.doc));
  }

  item(itemId: string): Promise<ItemRecord | undefined> {
    return this.now(() => {
      const row = this.itemSql.one.get(itemId) as { doc: string } | undefined;
      return row ? itemFromJson(row.doc) : undefined;
    });
  }

  items(since?: number): Promise<ItemRecord[]> {
    return this.now(() => this.itemsNow(since));
  }

  /** `f()` as a promise (its exception a rejection). */
  private now<T>(f: () => T): Promise<T> {
    try {
      return Promise.resolve(f());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** appendImpressions() without the promise (one transaction). */
  appendImpressionsNow(rows: readonly Impression[]): ImpressionResult {
    return rows.length === 0 ? { accepted: 0, duplicates: 0 } : this.insertImpressions(rows);
  }

  appendImpressions(rows: readonly Impression[]): Promise<ImpressionResult> {
    return this.now(() => this.appendImpressionsNow(rows));
  }

  impressions(since?: number): Promise<Impression[]> {
    return this.now(() => this.selectImpressions.all(since ?? 0) as Impression[]);
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}
