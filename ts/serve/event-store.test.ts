// Choosing the event store by environment (RECS_EVENTS_STORE), and a real server tracking events
// in a Cosmos DB container (@vercel/cosmosdb-server over HTTPS): event → fold-in → erasure.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreConfigError } from '../store/config.js';
import { useCosmos } from '../store/testing/use-cosmos.js';
import { eventStoreConfigFromEnv, openEventStore } from '../events/open.js';
import { startServer } from './server.js';
import { capturedLogger, fixtureRegistry, getJson } from './testing/fixtures.js';

describe('eventStoreConfigFromEnv', () => {
  it('defaults to the SQLite file, and reads the Cosmos DB settings for cosmos', () => {
    expect(eventStoreConfigFromEnv({}, '/x/events.sqlite')).toEqual({ kind: 'sqlite', path: '/x/events.sqlite' });
    const c = eventStoreConfigFromEnv({ RECS_EVENTS_STORE: 'cosmos', RECS_COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/', RECS_COSMOS_KEY: 'k', RECS_EVENTS_COSMOS_CONTAINER: 'ev' }, '/x');
    expect(c).toMatchObject({ kind: 'cosmos', cosmos: { endpoint: 'https://acct.documents.azure.com:443/', auth: 'key', key: 'k', database: 'recs', container: 'ev', partitionKey: '/userId' } });
    expect(eventStoreConfigFromEnv({ RECS_EVENTS_STORE: 'cosmos', RECS_COSMOS_ENDPOINT: 'https://a/' }, '/x')).toMatchObject({ cosmos: { auth: 'entra', container: 'events' } });
  });

  it('says what is wrong', () => {
    expect(() => eventStoreConfigFromEnv({ RECS_EVENTS_STORE: 'mysql' }, '/x')).toThrow(new StoreConfigError('RECS_EVENTS_STORE must be one of sqlite, cosmos; got "mysql"'));
    expect(() => eventStoreConfigFromEnv({ RECS_EVENTS_STORE: 'cosmos' }, '/x')).toThrow(/RECS_COSMOS_ENDPOINT is required/);
  });
});

describe('a server with the Cosmos DB event store', () => {
  const cosmos = useCosmos();

  it('tracks, folds in and erases through the container', async () => {
    const env = { RECS_EVENTS_STORE: 'cosmos', RECS_COSMOS_ENDPOINT: cosmos.server.endpoint, RECS_COSMOS_KEY: 'test-key' };
    const eventStore = await openEventStore(eventStoreConfigFromEnv(env, join(mkdtempSync(join(tmpdir(), 'recs-unused-')), 'x.sqlite')), { agent: cosmos.server.agent });
    const server = await startServer({ modelsDir: fixtureRegistry('v1').root, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventStore });
    try {
      const post = await getJson(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          { eventId: 'c1', userId: 'cos', itemId: 'i12', type: 'like' },
          { eventId: 'c1', userId: 'cos', itemId: 'i12', type: 'like' },
        ]),
      });
      expect(post).toMatchObject({ status: 202, body: { accepted: 1, duplicates: 1 } });
      let source = '';
      for (let i = 0; i < 200 && source !== 'foldin'; i++) {
        source = (await getJson(`${server.url}/v1/users/cos/recommendations`)).body.source;
        if (source !== 'foldin') await new Promise((r) => setTimeout(r, 10));
      }
      expect(source).toBe('foldin');
      const del = await getJson(`${server.url}/v1/users/cos`, { method: 'DELETE' });
      expect(del).toMatchObject({ status: 200, body: { removed: { events: 1, foldinResults: 1 } } });
      expect(await eventStore.forUser('cos')).toEqual([]);
      expect([...(await eventStore.erased()).keys()]).toEqual(['cos']);
    } finally {
      await server.close();
    }
  });
});
