// Owns how the service connects to Azure Cosmos DB: a CosmosClient authenticated with the account
// key or with Entra ID (DefaultAzureCredential: managed identity, workload identity, az login, …),
// and the container, created with the configured partition key path and throughput when missing.

import type { Agent } from 'node:https';
import { CosmosClient, type Container, type RetryOptions } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';

export interface CosmosConnection {
  endpoint: string;
  auth: 'key' | 'entra';
  /** The account key (auth 'key'). */
  key?: string;
  database: string;
  container: string;
  /** Partition key path of the container (default '/id'; documents are point-read by id = pk). */
  partitionKey?: string;
  /** Provisioned RU/s when the container is created (omit for serverless accounts). */
  throughput?: number;
  /** An https agent (tests pass one trusting their CA; keep-alive on). */
  agent?: Agent;
  retryOptions?: RetryOptions;
  /** Follow the account's regional endpoints (default true; a test proxy turns it off). */
  endpointDiscovery?: boolean;
}

export function createCosmosClient(c: CosmosConnection): CosmosClient {
  if (c.auth === 'key' && !c.key) throw new Error('cosmos: auth "key" needs a key (RECS_COSMOS_KEY)');
  return new CosmosClient({
    endpoint: c.endpoint,
    ...(c.auth === 'key' ? { key: c.key! } : { aadCredentials: new DefaultAzureCredential() }),
    ...(c.agent && { agent: c.agent }),
    connectionPolicy: {
      enableEndpointDiscovery: c.endpointDiscovery ?? true,
      retryOptions: c.retryOptions ?? { maxRetryAttemptCount: 9, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 30 },
    },
    userAgentSuffix: 'realtime-recs',
  });
}

/** The configured container, with its database, created when missing. */
export async function ensureContainer(client: CosmosClient, c: CosmosConnection): Promise<Container> {
  const { database } = await client.databases.createIfNotExists({ id: c.database });
  const { container } = await database.containers.createIfNotExists({
    id: c.container,
    partitionKey: { paths: [c.partitionKey ?? '/id'] },
    ...(c.throughput !== undefined && { throughput: c.throughput }),
  });
  return container;
}
