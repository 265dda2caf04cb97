// Owns a server entry for the shutdown tests: the real server and signal handling over the
// embedded store, with every lookup delayed, so requests are reliably in flight when the signal
// comes. Usage: node dist/ts/serve/testing/slow-server.js <models-dir> <delay-ms> <deadline-ms>

import { EmbeddedStore } from '../../store/embedded.js';
import { closeOnSignals, startServer } from '../index.js';

const [modelsDir, delay, deadline] = process.argv.slice(2);
const delayMs = Number(delay);
const server = await startServer({
  modelsDir: modelsDir!,
  port: 0,
  logLevel: 'debug',
  createStore: (p) => {
    const inner = new EmbeddedStore(p.table);
    return {
      kind: 'embedded-slow',
      modelVersion: inner.modelVersion,
      depth: inner.depth,
      get: (user) => new Promise((r) => setTimeout(r, delayMs)).then(() => inner.get(user)),
      close: () => inner.close(),
    };
  },
});
closeOnSignals(server, { deadlineMs: Number(deadline) });
