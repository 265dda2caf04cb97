// Owns bulk-loading a top-k table into the Cosmos DB test double (@vercel/cosmosdb-server, started
// in process over HTTPS and closed afterwards) for the benchmarks: its full-scan storage bounds it,
// so the users/s it gives measure the loader's overhead, not Azure's.

import { createCosmosClient, ensureContainer } from '../ts/store/cosmos-client.js';
import { loadCosmos } from '../ts/store/cosmos-load.js';
import type { LoadTable } from '../ts/store/load-table.js';
import { startCosmos } from '../ts/store/testing/cosmos-server.js';

export async function loadIntoCosmosDouble(table: LoadTable): Promise<Awaited<ReturnType<typeof loadCosmos>>> {
  const server = await startCosmos();
  try {
    const conn = { endpoint: server.endpoint, auth: 'key' as const, key: 'bench', database: 'recs', container: 'lists', agent: server.agent };
    const client = createCosmosClient(conn);
    const container = await ensureContainer(client, conn);
    const r = await loadCosmos(container, table);
    client.dispose();
    return r;
  } finally {
    await server.close();
  }
}
