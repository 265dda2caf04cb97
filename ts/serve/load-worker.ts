// Owns the model loader's worker thread: reads and verifies an artifact (readArtifact checks every
// checksum), prepares it (./prepared.ts) and posts the result with its large buffers transferred,
// so the seconds a big model takes never block the thread that serves requests. It lowers its
// CPU priority below that thread's before it even loads the modules that do the work (a new
// thread compiling them is a burst of CPU of its own): on busy cores, serving goes first and the
// load takes longer.

import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThread, nameThisThread } from '../util/thread-nice.js';

const { dir, nice } = workerData as { dir: string; nice?: number };
nameThisThread('recs-loader');
if (nice) lowerThisThread(nice);
try {
  const { readArtifact } = await import('../model/artifact.js');
  const { prepareModel, transferables } = await import('./prepared.js');
  const prepared = prepareModel(readArtifact(dir, { sharedFactors: true }), dir);
  parentPort!.postMessage({ ok: true, prepared }, transferables(prepared));
} catch (e) {
  parentPort!.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
}
