// Owns the model loader's worker thread: reads and verifies an artifact (readArtifact checks every
// checksum), prepares it (./prepared.ts) and posts the result with its large buffers transferred,
// so the seconds a big model takes never block the thread that serves requests. It runs at a
// lower CPU priority than that thread (the fold-in thread's nice value): on busy cores, serving
// goes first and the load takes longer.

import { parentPort, workerData } from 'node:worker_threads';
import { readArtifact } from '../model/artifact.js';
import { prepareModel, transferables } from './prepared.js';
import { niceThisThread } from '../util/thread-nice.js';

const { dir, nice } = workerData as { dir: string; nice?: number };
if (nice) niceThisThread(nice);
try {
  const prepared = prepareModel(readArtifact(dir), dir);
  parentPort!.postMessage({ ok: true, prepared }, transferables(prepared));
} catch (e) {
  parentPort!.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
}
