// Owns the model loader's worker thread: reads and verifies an artifact (readArtifact checks every
// checksum), prepares it (./prepared.ts) and posts the result with its large buffers transferred,
// so the seconds a big model takes never block the thread that serves requests.

import { parentPort, workerData } from 'node:worker_threads';
import { readArtifact } from '../model/artifact.js';
import { prepareModel, transferables } from './prepared.js';

const { dir } = workerData as { dir: string };
try {
  const prepared = prepareModel(readArtifact(dir), dir);
  parentPort!.postMessage({ ok: true, prepared }, transferables(prepared));
} catch (e) {
  parentPort!.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
}
