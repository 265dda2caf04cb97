// Owns the worker-thread entry of a load generator (./threads.ts starts it): for each step,
// prepares ./generator.ts with the configuration it is sent, says it is ready, runs from the start
// time it is sent and posts the result back, so several generators can share the load across
// cores while the main thread only coordinates.

import { parentPort } from 'node:worker_threads';
import { prepareGenerator, type PreparedGenerator } from './generator.js';
import type { FromWorker, ToWorker } from './threads.js';

let generator: PreparedGenerator | null = null;
const post = (m: FromWorker) => parentPort!.postMessage(m);
parentPort!.on('message', (m: ToWorker) => {
  if ('prepare' in m)
    void prepareGenerator(m.prepare).then((g) => {
      generator = g;
      post({ ready: true });
    });
  else void generator!.run(m.run).then((result) => post({ result }));
});
