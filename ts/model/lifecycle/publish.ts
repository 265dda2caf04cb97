// Owns publishing a written version, the one path by which a version reaches the servers (used by
// `train --gate/--load`, `retrain` and `recs load`): the registered candidate → the quality gate
// (when asked) → the serving store's bulk load (when asked; from the artifact, checksums verified)
// → the registry's ACTIVE pointer (one shard of the users can be loaded alone: `recs load --shard`;
// the store switches when the last shard is verified). The store is loaded before the pointer moves, so servers never
// switch to a version their store lacks; a version the gate refuses is never loaded. The gate is
// asked again after the load (the active model may have changed meanwhile).

import type { Engine } from '../../engine/index.js';
import { tableOfArtifact, type LoadTable } from '../../store/load-table.js';
import { readArtifactSlice } from '../artifact-slice.js';
import type { TrainOptions } from '../pipeline/options.js';
import type { Progress } from '../pipeline/progress.js';
import { loadIntoStore, type StoreLoadOptions, type StoreLoadResult } from '../pipeline/store-load.js';
import { train, type WrittenVersion } from '../pipeline/train.js';
import { LocalRegistry } from '../registry.js';
import { judge, promoteWithGate, type GateDecision } from './gate.js';
import { shardRange } from './score.js';

export interface PublishOptions {
  /** Move the registry's ACTIVE pointer to the version (through the gate when `gate` is set). */
  activate: boolean;
  /** Promote only through the quality gate, with this tolerance. */
  gate?: { tolerance: number } | undefined;
  /** Load the version into this serving store before the pointer moves (or, without `activate`, only load it). */
  load?: StoreLoadOptions | undefined;
  /** How an unconditional activation is recorded in the history (default 'train'). */
  via?: string;
}

export interface PublishResult {
  version: string;
  /** Whether the registry's ACTIVE pointer now names the version. */
  activated: boolean;
  /** The gate's decision, when one was asked for. */
  gate?: GateDecision;
  /** The serving store's load, when one was asked for and done. */
  load?: StoreLoadResult;
  /** One line: what happened and why. */
  message: string;
}

/** Publishes the written version `version` of `registry` (see the file's head). */
export async function publish(registry: LocalRegistry, version: string, o: PublishOptions, progress: Progress): Promise<PublishResult> {
  registry.manifest(version); // a registered version (throws, naming it, when it is not)
  if (o.activate && o.gate) {
    const first = judge(registry, version, { tolerance: o.gate.tolerance });
    if (!first.pass) {
      const d = promoteWithGate(registry, version, { tolerance: o.gate.tolerance }); // records the refusal
      if (o.load) progress.note(`not loaded into ${o.load.store}: ${version} did not become the active version`);
      return { version, activated: false, gate: d, message: `refused, stays a candidate: ${d.reason}` };
    }
  }
  let load: StoreLoadResult | undefined;
  if (o.load) load = await loadIntoStore(loadTable(registry, version, o.load.shard), o.load, progress);
  if (load && !load.switched)
    return {
      version,
      activated: false,
      load,
      message: `shard ${load.shard!.index} of ${load.shard!.count} loaded into ${load.store}; the store switches when every shard is (${load.shard!.progress})`,
    };
  const loaded = load ? `; loaded into ${load.store} (${load.users} users, ${load.usersPerSecond} users/s) before the switch` : '';
  const withLoad = load ? { load } : {};
  if (!o.activate) return { version, activated: false, ...withLoad, message: load ? `loaded into ${load.store}; the registry's active version is unchanged` : 'written, not activated' };
  if (o.gate) {
    const d = promoteWithGate(registry, version, { tolerance: o.gate.tolerance });
    // refused now: the active model changed while the store was loading and the gate says no
    return { version, activated: d.promoted, gate: d, ...withLoad, message: `${d.promoted ? 'promoted' : 'refused, stays a candidate'}: ${d.reason}${loaded}` };
  }
  registry.activate(version, { via: o.via ?? 'train' });
  return { version, activated: true, ...withLoad, message: `activated${loaded}` };
}

/** The table to load: the version's top-k rows alone (not its factors), all of them or one shard's. */
function loadTable(registry: LocalRegistry, version: string, shard: { index: number; count: number } | undefined): LoadTable {
  const a = readArtifactSlice(registry.versionDir(version), (n) => (shard ? shardRange(n, shard.index, shard.count) : [0, n]), { verify: true });
  return tableOfArtifact(a, shard && { ...shard, totalUsers: a.nUsers });
}

export type TrainResult = WrittenVersion & Omit<PublishResult, 'version' | 'message'>;

/** `recs train`: train and write the version, then publish it as `o` asks (activate, gate, load). */
export async function trainAndPublish(engine: Engine, o: TrainOptions, progress: Progress): Promise<TrainResult> {
  const written = await train(engine, o, progress);
  const { version: _v, message: _m, ...published } = await publish(new LocalRegistry(o.modelsDir), written.manifest.version, { activate: o.activate, gate: o.gate, load: o.load }, progress);
  return { ...written, ...published };
}
