// Owns the fold-in worker's read of users' events from the SQLite event store: several users per
// statement in one read transaction (one snapshot), only the columns fold-in reads, each user's
// oldest first, and the rows used as they come, with no copy per row (the store's general read
// builds a full event from each row: at thousands of fold-ins/s that copy and the unused columns
// cost more than the query).

import { createRequire } from 'node:module';
import type { Database, DatabaseCtor, Statement } from './sqlite.js';
import type { FoldInEvent } from './types.js';

/** Users per statement (bound parameters; the last statement is padded). */
const USERS_PER_READ = 100;

export class FoldInEventsReader {
  private readonly db: Database;
  private readonly select: Statement;
  private readonly inOneRead: <R>(f: () => R) => R;

  /** Opens `path` (an existing event store file) read-only. */
  constructor(path: string) {
    const Ctor = createRequire(import.meta.url)('better-sqlite3') as DatabaseCtor;
    this.db = new Ctor(path, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    const params = Array(USERS_PER_READ).fill('?').join(', ');
    this.select = this.db.prepare(`SELECT eventId, userId, itemId, type, value, timestamp FROM events WHERE userId IN (${params}) ORDER BY userId, timestamp, receivedAt, eventId`);
    this.inOneRead = <R>(f: () => R): R => this.db.transaction(f)();
  }

  /** userId → their events, oldest first (users without events are absent). */
  read(userIds: readonly string[]): Map<string, FoldInEvent[]> {
    const out = new Map<string, FoldInEvent[]>();
    this.inOneRead(() => {
      for (let at = 0; at < userIds.length; at += USERS_PER_READ) {
        const ids = userIds.slice(at, at + USERS_PER_READ);
        while (ids.length < USERS_PER_READ) ids.push(ids[0]!); // a repeated id matches nothing more
        for (const r of this.select.all(...ids) as FoldInEvent[]) {
          const l = out.get(r.userId);
          if (l) l.push(r);
          else out.set(r.userId, [r]);
        }
      }
    });
    return out;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
