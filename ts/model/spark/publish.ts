// Owns publishing an imported version with today's registry functions, as `recs train --gate
// --load` does: through the quality gate (or activated directly when the gate is off), then, once
// active, its top-k table bulk-loaded into Redis or Cosmos DB. Kept in this one place so it can
// switch to a shared publish step (register → gate → load store → ACTIVE) when there is one.

import { promoteWithGate, type GateDecision } from '../lifecycle/gate.js';
import type { Progress } from '../pipeline/progress.js';
import { loadIntoStore, type StoreLoadOptions, type StoreLoadResult } from '../pipeline/store-load.js';
import type { LocalRegistry } from '../registry.js';
import type { LoadTable } from '../../store/load-table.js';

export interface PublishOptions {
  activate: boolean;
  /** null: activate without the gate (--force). */
  gate: { tolerance: number } | null;
  load?: StoreLoadOptions;
  /** Who activated it, for the registry's history. */
  via: string;
}

export interface PublishResult {
  activated: boolean;
  gate?: GateDecision;
  load?: StoreLoadResult;
}

export async function publishVersion(registry: LocalRegistry, table: LoadTable, o: PublishOptions, progress: Progress): Promise<PublishResult> {
  const version = table.version;
  let result: PublishResult;
  if (!o.activate) result = { activated: false };
  else if (o.gate) {
    const d = promoteWithGate(registry, version, { tolerance: o.gate.tolerance });
    result = { activated: d.promoted, gate: d };
  } else {
    registry.activate(version, { verify: true, via: o.via, reason: 'activated without the quality gate (--force)' });
    result = { activated: true };
  }
  if (o.load && result.activated) result.load = await loadIntoStore(table, o.load, progress);
  else if (o.load) progress.note(`not loaded into ${o.load.store}: ${version} did not become the active version`);
  return result;
}
