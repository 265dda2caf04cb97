// Owns turning the store flags of the commands that bulk-load a serving store (`load --store`,
// `train --load`, `retrain --load`) into load options: the kind checked against the store
// registry's loadable back ends, the settings read from the environment (flags win), and a bad
// setting reported as a usage error naming the variable.

import type { StoreLoadOptions } from '../model/pipeline/store-load.js';
import type { StoreFlags } from '../store/backend.js';
import { storeConfigFromEnv, StoreConfigError, type StoreKind } from '../store/config.js';
import { loadableStoreKinds } from '../store/registry.js';
import { UsageError } from './command.js';

/** The load options for `--<flag> KIND`; `flags` override the environment (redisUrl, cosmosEndpoint). */
export function storeLoadOption(flag: string, kind: string, env: NodeJS.ProcessEnv = process.env, flags: StoreFlags = {}): StoreLoadOptions {
  const kinds = loadableStoreKinds();
  if (!(kinds as string[]).includes(kind)) throw new UsageError(`--${flag} must be one of ${kinds.join(', ')}; got "${kind}"`);
  try {
    return { store: kind as StoreKind, config: storeConfigFromEnv(env, { ...flags, kind }) };
  } catch (e) {
    if (e instanceof StoreConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/** The serving store (RECS_STORE) when it is one that is bulk-loaded, else undefined. */
export function servingLoadKind(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const serving = env['RECS_STORE'];
  return serving !== undefined && (loadableStoreKinds() as string[]).includes(serving) ? serving : undefined;
}
