// Owns the list of recommendation-store back ends: one registration line each. Everything that
// offers a choice of store (RECS_STORE, `serve --store`, `load --store`, `train --load`, `retrain
// --load`), reads store settings or bulk-loads a version finds the back ends here.

import type { StoreBackend } from './backend.js';
import { cosmosBackend } from './backends/cosmos.js';
import { embeddedBackend } from './backends/embedded.js';
import { redisBackend } from './backends/redis.js';

/** The back ends, the default (RECS_STORE unset) first. Add a back end: its files, then one line here. */
export const STORE_BACKENDS = [embeddedBackend, redisBackend, cosmosBackend] as const;

type Backends = (typeof STORE_BACKENDS)[number];
export type StoreKind = Backends['kind'];
type SettingsOf<B> = B extends StoreBackend<infer S, string> ? S : never;
/** Every back end's settings, under its kind (StoreConfig carries them all). */
export type StoreSettings = { [B in Backends as B['kind']]: SettingsOf<B> };

/** Every store kind, the default first (for choice lists and messages). */
export function storeKinds(): StoreKind[] {
  return STORE_BACKENDS.map((b) => b.kind);
}

/** The kinds that are bulk-loaded before servers switch (`recs load`, `train --load`, `retrain --load`). */
export function loadableStoreKinds(): StoreKind[] {
  return STORE_BACKENDS.filter((b) => b.remote && b.load).map((b) => b.kind);
}

/** The default store kind (RECS_STORE unset). */
export const DEFAULT_STORE_KIND: StoreKind = STORE_BACKENDS[0].kind;

export function isStoreKind(kind: string): kind is StoreKind {
  return STORE_BACKENDS.some((b) => b.kind === kind);
}

/** The back end of `kind` (a registered one). */
export function storeBackend(kind: StoreKind): StoreBackend<unknown, StoreKind> {
  return STORE_BACKENDS.find((b) => b.kind === kind)! as StoreBackend<unknown, StoreKind>;
}
