// The commands' one event-store choice (ts/cli/events-db.ts): --events-store, else RECS_EVENTS_STORE;
// for SQLite the file from the flag, RECS_EVENTS_DB or the command's default; contradictions refused.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from './command.js';
import { eventStoreOption } from './events-db.js';

const dir = mkdtempSync(join(tmpdir(), 'recs-events-db-'));
const existing = join(dir, 'events.sqlite');
writeFileSync(existing, '');
const base = { kind: undefined, name: 'events-db', path: undefined, fallback: existing, mustExist: true };
const cosmosEnv = { RECS_COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/', RECS_COSMOS_KEY: 'k' };

describe('eventStoreOption', () => {
  it('SQLite by default: the flag, else RECS_EVENTS_DB, else the fallback when it exists', () => {
    expect(eventStoreOption(base, {})).toEqual({ kind: 'sqlite', path: existing });
    expect(eventStoreOption({ ...base, fallback: join(dir, 'none.sqlite') }, {})).toBeUndefined();
    expect(eventStoreOption({ ...base, fallback: join(dir, 'none.sqlite'), mustExist: false }, {})).toEqual({ kind: 'sqlite', path: join(dir, 'none.sqlite') });
    expect(eventStoreOption({ ...base, path: existing }, { RECS_EVENTS_DB: '/elsewhere' })).toEqual({ kind: 'sqlite', path: existing });
    expect(() => eventStoreOption(base, { RECS_EVENTS_DB: join(dir, 'missing.sqlite') })).toThrow(new UsageError(`RECS_EVENTS_DB: no such event store: ${join(dir, 'missing.sqlite')}`));
  });

  it('Cosmos DB from RECS_EVENTS_STORE or --events-store, the flag winning', () => {
    const c = eventStoreOption(base, { ...cosmosEnv, RECS_EVENTS_STORE: 'cosmos' });
    expect(c).toMatchObject({ kind: 'cosmos', cosmos: { endpoint: cosmosEnv.RECS_COSMOS_ENDPOINT, database: 'recs', container: 'events', partitionKey: '/userId' } });
    expect(eventStoreOption({ ...base, kind: 'cosmos' }, { ...cosmosEnv, RECS_EVENTS_COSMOS_CONTAINER: 'ev' })).toMatchObject({ kind: 'cosmos', cosmos: { container: 'ev' } });
    expect(eventStoreOption({ ...base, kind: 'sqlite' }, { ...cosmosEnv, RECS_EVENTS_STORE: 'cosmos' })).toEqual({ kind: 'sqlite', path: existing });
  });

  it('refuses contradictions and incomplete settings, naming the flag or variable', () => {
    expect(() => eventStoreOption({ ...base, path: existing }, { ...cosmosEnv, RECS_EVENTS_STORE: 'cosmos' })).toThrow(
      new UsageError('--events-db names a SQLite file, but the event store is cosmos (RECS_EVENTS_STORE); give one of them'),
    );
    expect(() => eventStoreOption({ ...base, kind: 'cosmos', path: existing }, cosmosEnv)).toThrow(/but the event store is cosmos \(--events-store\)/);
    expect(() => eventStoreOption({ ...base, kind: 'mysql' }, {})).toThrow(new UsageError('--events-store must be one of sqlite, cosmos; got "mysql"'));
    expect(() => eventStoreOption(base, { RECS_EVENTS_STORE: 'mysql' })).toThrow(/event store: RECS_EVENTS_STORE must be one of sqlite, cosmos/);
    expect(() => eventStoreOption({ ...base, kind: 'cosmos' }, {})).toThrow(/RECS_COSMOS_ENDPOINT/);
  });
});
