// Owns the item fold-in worker's read of the SQLite event store: the events received since a time
// on items outside a known set (the serving model's catalogue, loaded once per model into a
// temporary table of this read-only connection), and the latest receivedAt among all the events
// since then, so the reader's cursor moves past the events it left out. Events on known items,
// nearly all of them, never become objects on this thread: the reader reads the last seconds
// again on every poll (its margin), and at thousands of events/s turning each of them into an
// object cost more CPU per event than folding the user in.

import { createRequire } from 'node:module';
import { COLUMNS, eventOf, type Database, type DatabaseCtor, type Getter, type Row, type Statement } from './sqlite.js';
import type { TrackedEvent } from './types.js';

export interface ReceivedRead {
  /** Events on items outside the known set, in the order received. */
  events: TrackedEvent[];
  /** The latest receivedAt of every event read past (-Infinity: none since `since`). */
  latest: number;
}

export class ReceivedOnNewItems {
  private readonly db: Database;
  private readonly select: Statement;
  private readonly latest: Getter;
  private readonly clear: Statement;
  private readonly insert: Statement;
  private known: string | null = null;

  /** Opens `path` (an existing event store file) read-only. */
  constructor(path: string) {
    const Ctor = createRequire(import.meta.url)('better-sqlite3') as DatabaseCtor;
    this.db = new Ctor(path, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.db.exec('CREATE TEMP TABLE known_items (itemId TEXT PRIMARY KEY) WITHOUT ROWID');
    this.select = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE receivedAt >= ? AND itemId NOT IN (SELECT itemId FROM temp.known_items) ORDER BY receivedAt, eventId`);
    this.latest = this.db.prepare('SELECT max(receivedAt) AS latest FROM events WHERE receivedAt >= ?') as Statement & Getter;
    this.clear = this.db.prepare('DELETE FROM temp.known_items');
    this.insert = this.db.prepare('INSERT OR IGNORE INTO temp.known_items (itemId) VALUES (?)');
  }

  /** The known items from now on, named by `key` (a model version: the same key again loads nothing). */
  know(key: string, itemIds: () => Iterable<string>): void {
    if (this.known === key) return;
    this.db.transaction(() => {
      this.clear.run();
      for (const id of itemIds()) this.insert.run(id);
    })();
    this.known = key;
  }

  /** The events received at or after `since` (ms) on items not known, and the latest receivedAt since then, from one snapshot. */
  read(since: number): ReceivedRead {
    return this.db.transaction(() => {
      const latest = (this.latest.get(since) as { latest: number | null }).latest;
      return { events: (this.select.all(since) as Row[]).map(eventOf), latest: latest ?? -Infinity };
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
