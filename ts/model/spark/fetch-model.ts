// Owns bringing a saved Spark model onto this machine when it lives in Blob Storage / ADLS Gen2
// (`blob://<container>/<prefix>`, authenticated like the blob registry: AZURE_STORAGE_CONNECTION_STRING
// or RECS_BLOB_ACCOUNT_URL with Entra ID): every object under the prefix is downloaded into a
// temporary directory with the same layout. ADLS Gen2 lists its directories as empty marker blobs;
// a name that is also a directory of other names is skipped. A local path is used as it is.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openBlobStore, parseRegistry } from '../registry/config.js';
import type { ObjectStore } from '../registry/object-store.js';
import { SparkModelError } from './metadata.js';

export interface FetchedModel {
  dir: string;
  /** Removes the downloaded copy (a no-op for a local directory). */
  cleanup(): void;
}

export async function fetchSparkModel(spec: string, env: NodeJS.ProcessEnv = process.env): Promise<FetchedModel> {
  if (!spec.startsWith('blob://')) return { dir: spec, cleanup: () => {} };
  const loc = parseRegistry(spec, '--model');
  if (loc.kind !== 'blob') throw new SparkModelError(`--model ${spec}: expected blob://<container>/<prefix>`);
  return downloadModel(openBlobStore(loc, env), spec);
}

/** Downloads every object of `store` (a model's prefix) into a new temporary directory. */
export async function downloadModel(store: ObjectStore, spec: string): Promise<FetchedModel> {
  const names = (await store.list('')).filter((n) => n !== '').sort();
  if (names.length === 0) throw new SparkModelError(`${spec}: no objects under this prefix (${store.description})`);
  const dirs = new Set<string>();
  for (const n of names) for (let i = n.indexOf('/'); i > 0; i = n.indexOf('/', i + 1)) dirs.add(n.slice(0, i));
  const dir = mkdtempSync(join(tmpdir(), 'recs-spark-model-'));
  try {
    for (const n of names) {
      if (dirs.has(n) || n.endsWith('/') || n.split('/').some((p) => p === '..' || p === '.')) continue;
      const path = join(dir, n);
      mkdirSync(dirname(path), { recursive: true });
      await store.getFile(n, path);
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
