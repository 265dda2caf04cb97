// Owns the Cosmos DB fixture of a test file: @vercel/cosmosdb-server over HTTPS (./cosmos-server.ts)
// started before the file's tests (or a describe block's, when called inside one) and closed after
// them. `server` is set once the tests run.

import { afterAll, beforeAll } from 'vitest';
import { startCosmos, type TestCosmos } from './cosmos-server.js';

export interface CosmosFixture {
  server: TestCosmos;
}

export function useCosmos(): CosmosFixture {
  const fx = {} as CosmosFixture;
  beforeAll(async () => {
    fx.server = await startCosmos();
  });
  afterAll(async () => {
    await fx.server?.close();
  });
  return fx;
}
