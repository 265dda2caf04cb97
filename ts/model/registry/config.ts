// Owns where the model registry lives, from the --registry flag or RECS_REGISTRY:
//
//   local (default)                 the --models-dir directory alone
//   blob://<container>[/<prefix>]   Azure Blob Storage; --models-dir becomes its local cache
//
// The storage account of a blob registry comes from the environment:
//   AZURE_STORAGE_CONNECTION_STRING   a connection string (account key or SAS; Azurite), or else
//   RECS_BLOB_ACCOUNT_URL             https://<account>.blob.core.windows.net, authenticated with
//                                     Entra ID (DefaultAzureCredential: AKS workload identity,
//                                     managed identity, AZURE_CLIENT_ID/…, az login)

import { BlobObjectStore } from './blob-store.js';
import type { ObjectStore } from './object-store.js';

export type RegistryLocation = { kind: 'local' } | { kind: 'blob'; container: string; prefix: string };

export class RegistryConfigError extends Error {
  override name = 'RegistryConfigError';
}

/** Azure's container naming rules: 3–63 of a-z, 0-9 and single hyphens, starting with a letter or digit. */
const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/** Parses a registry spec; `source` names where it came from in errors (e.g. "--registry"). */
export function parseRegistry(spec: string | undefined, source = '--registry'): RegistryLocation {
  const s = (spec ?? '').trim();
  if (s === '' || s === 'local') return { kind: 'local' };
  const m = /^blob:\/\/([^/]*)(?:\/(.*))?$/.exec(s);
  if (!m) throw new RegistryConfigError(`${source} must be "local" or "blob://<container>[/<prefix>]"; got "${s}"`);
  const container = m[1]!;
  if (!CONTAINER.test(container)) throw new RegistryConfigError(`${source}: "${container}" is not a valid blob container name (3–63 lowercase letters, digits and single hyphens)`);
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((p) => p === '.' || p === '..')) throw new RegistryConfigError(`${source}: the prefix "${prefix}" may not contain "." or ".." segments`);
  return { kind: 'blob', container, prefix };
}

/** The registry location from a flag, else RECS_REGISTRY. */
export function registryFromEnv(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): RegistryLocation {
  return flag !== undefined ? parseRegistry(flag, '--registry') : parseRegistry(env['RECS_REGISTRY'], 'RECS_REGISTRY');
}

/** The object store of a blob registry, authenticated from the environment. */
export function openBlobStore(loc: Extract<RegistryLocation, { kind: 'blob' }>, env: NodeJS.ProcessEnv = process.env): ObjectStore {
  const connectionString = env['AZURE_STORAGE_CONNECTION_STRING'];
  const accountUrl = env['RECS_BLOB_ACCOUNT_URL'];
  if (connectionString) return new BlobObjectStore({ auth: { connectionString }, container: loc.container, prefix: loc.prefix });
  if (accountUrl) {
    if (!/^https?:\/\//.test(accountUrl)) throw new RegistryConfigError(`RECS_BLOB_ACCOUNT_URL must be a URL like https://<account>.blob.core.windows.net; got "${accountUrl}"`);
    return new BlobObjectStore({ auth: { accountUrl }, container: loc.container, prefix: loc.prefix });
  }
  throw new RegistryConfigError(`a blob registry (blob://${loc.container}${loc.prefix ? `/${loc.prefix}` : ''}) needs AZURE_STORAGE_CONNECTION_STRING or RECS_BLOB_ACCOUNT_URL`);
}
