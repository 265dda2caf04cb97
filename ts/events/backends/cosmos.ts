// Owns the Azure Cosmos DB event-store back end: the events container (RECS_EVENTS_COSMOS_CONTAINER,
// default events, partitioned by /userId, created when missing) reached with the RECS_COSMOS_*
// connection settings of the Cosmos DB recommendation store; for many writers (replicas, jobs).

import { cosmosConnectionFromEnv } from '../../store/backends/cosmos.js';
import { StoreConfigError } from '../../store/backend.js';
import { createCosmosClient, ensureContainer, type CosmosConnection } from '../../store/cosmos-client.js';
import type { EventStoreBackend } from '../backend.js';
import { PARTITION_KEY } from '../cosmos-docs.js';
import { CosmosEventStore } from '../cosmos.js';

export interface CosmosEventsConfig {
  kind: 'cosmos';
  cosmos: CosmosConnection;
}

export const cosmosEvents: EventStoreBackend<CosmosEventsConfig, 'cosmos'> = {
  kind: 'cosmos',
  summary: 'an Azure Cosmos DB container (many writers: replicas, jobs)',
  config: (env) => {
    const c = cosmosConnectionFromEnv(env, undefined, true); // validates endpoint and auth
    return { kind: 'cosmos', cosmos: { ...c, container: env['RECS_EVENTS_COSMOS_CONTAINER'] || 'events', partitionKey: PARTITION_KEY } };
  },
  async open(cfg, extra) {
    const conn: CosmosConnection = { ...cfg.cosmos, partitionKey: PARTITION_KEY, ...(extra.agent && { agent: extra.agent }) };
    const client = createCosmosClient(conn);
    try {
      const container = await ensureContainer(client, conn);
      const { resource } = await container.read();
      const paths = resource?.partitionKey?.paths ?? [];
      if (paths.length !== 1 || paths[0] !== PARTITION_KEY)
        throw new StoreConfigError(`cosmos event store: container ${conn.database}/${conn.container} is partitioned by ${paths.join(', ') || 'nothing'}, not ${PARTITION_KEY}`);
      return new CosmosEventStore({ container, onClose: () => client.dispose() });
    } catch (e) {
      client.dispose();
      throw e;
    }
  },
  describe: (cfg) => `cosmos ${cfg.cosmos.endpoint} ${cfg.cosmos.database}/${cfg.cosmos.container}`,
};
