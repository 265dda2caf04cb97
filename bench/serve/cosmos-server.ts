// Owns running @vercel/cosmosdb-server for the serving benchmark in a process of its own (so it
// does not share an event loop with the load generator): HTTPS on a free loopback port with a
// certificate made at start (ts/store/testing/cosmos-server.ts), written to a temporary file that
// clients trust (NODE_EXTRA_CA_CERTS for the API child, an https.Agent for the loader).
// Run as a child process: node dist/bench/serve/cosmos-server.js; prints {"port", "endpoint", "cert"}.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCosmos } from '../../ts/store/testing/cosmos-server.js';

const server = await startCosmos();
const dir = mkdtempSync(join(tmpdir(), 'bench-cosmos-'));
const cert = join(dir, 'cert.pem');
writeFileSync(cert, server.tls.cert);
console.log(JSON.stringify({ port: server.port, endpoint: server.endpoint, cert }));
const stop = () => {
  void server.close().finally(() => rmSync(dir, { recursive: true, force: true }));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
