// Owns the worker-thread entry of a load generator: prepares ./generator.ts with the configuration
// it was started with, says it is ready, runs from the start time the coordinator sends and posts
// the result back, so several generators can share the load across cores while the main thread
// only coordinates.

import { parentPort, workerData } from 'node:worker_threads';
import { prepareGenerator, type GeneratorConfig } from './generator.js';

const generator = await prepareGenerator(workerData as GeneratorConfig);
parentPort!.once('message', (m: { startAt: number }) => {
  void generator.run(m.startAt).then((result) => parentPort!.postMessage({ result }));
});
parentPort!.postMessage({ ready: true });
