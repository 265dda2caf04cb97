// Owns loading a model version for serving: in a worker thread when the compiled worker script
// is present (the built server: dist/ts/serve/load-worker.js), else on the calling thread (when
// running from TypeScript sources, as the unit tests do); the worker runs below the serving
// thread's CPU priority. Either way the artifact's checksums are
// verified, and a corrupt or unreadable artifact is an error naming the problem.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readArtifact } from '../model/artifact.js';
import { prepareModel, type PreparedModel } from './prepared.js';

export type LoadMode = 'worker' | 'inline';

const workerUrl = new URL('./load-worker.js', import.meta.url);

/** 'worker' when the compiled worker script exists next to this module. */
export function defaultLoadMode(): LoadMode {
  return existsSync(fileURLToPath(workerUrl)) ? 'worker' : 'inline';
}

export interface LoadHandle {
  promise: Promise<PreparedModel>;
  /** Stops a worker load (the promise rejects). */
  cancel(): void;
}

/** The loader thread's nice value (Linux): a load yields the cores to serving. */
const LOADER_NICE = 5;

export function loadPreparedModel(dir: string, mode: LoadMode = defaultLoadMode()): LoadHandle {
  if (mode === 'inline') {
    let cancelled = false;
    const promise = new Promise<PreparedModel>((resolve, reject) => {
      setImmediate(() => {
        if (cancelled) return reject(new Error('model load cancelled'));
        try {
          resolve(prepareModel(readArtifact(dir, { sharedFactors: true }), dir));
        } catch (e) {
          reject(e);
        }
      });
    });
    return { promise, cancel: () => void (cancelled = true) };
  }
  const worker = new Worker(workerUrl, { workerData: { dir, nice: LOADER_NICE } });
  const promise = new Promise<PreparedModel>((resolve, reject) => {
    let settled = false;
    worker.once('message', (m: { ok: true; prepared: PreparedModel } | { ok: false; message: string }) => {
      settled = true;
      if (m.ok) resolve(m.prepared);
      else reject(new Error(m.message));
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`model load worker exited with code ${code}`));
    });
  });
  return { promise, cancel: () => void worker.terminate() };
}
