// Owns the worker-thread entry of a load generator: runs ./generator.ts with the configuration it
// was started with and posts the result back, so several generators can share the load across
// cores while the main thread only coordinates.

import { parentPort, workerData } from 'node:worker_threads';
import { runGenerator, type GeneratorConfig } from './generator.js';

const result = await runGenerator(workerData as GeneratorConfig);
parentPort!.postMessage(result);
