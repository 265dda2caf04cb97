// Owns the scheduled retrain (a Kubernetes CronJob's one step): read the data (and the event store)
// → train → evaluate → gate → load the serving store → promote. The store is loaded before the
// registry's active pointer flips, so servers never switch to a version their store lacks.
//
// It is idempotent and safe to rerun after a crash at any step: a version with the same data
// fingerprint, parameters and split is never trained twice. A version that was written but never
// decided (a crash after training, or between the store load and the promotion) is gated, loaded
// (the loaders overwrite the same keys or documents) and promoted by the rerun; a version already
// refused or active is left alone.

import { prepare } from '../../data/index.js';
import type { Engine } from '../../engine/index.js';
import { tableOfArtifact } from '../../store/load-table.js';
import { readArtifact } from '../artifact.js';
import { fingerprint, type Manifest } from '../manifest.js';
import { mergeConfiguredEvents } from '../pipeline/events-source.js';
import { formatFeedback } from '../pipeline/feedback.js';
import type { TrainOptions } from '../pipeline/options.js';
import type { Progress } from '../pipeline/progress.js';
import { loadSource } from '../pipeline/source.js';
import { loadIntoStore, type StoreLoadResult } from '../pipeline/store-load.js';
import { train } from '../pipeline/train.js';
import { LocalRegistry } from '../registry.js';
import { DEFAULT_TOLERANCE, judge, promoteWithGate, type GateDecision } from './gate.js';
import { algorithmNamed, algorithmParams } from '../algorithms/index.js';

export interface RetrainResult {
  /** trained: a new version; resumed: an existing ungated version was gated; unchanged: nothing to do. */
  action: 'trained' | 'resumed' | 'unchanged';
  version: string;
  active: string | null;
  /** The gate's decision when one was made now. */
  gate?: GateDecision;
  /** The serving-store load, when `load` was asked for and the gate passed. */
  load?: StoreLoadResult;
  message: string;
}

/**
 * One scheduled retrain with `o` (its `events` merged, its `load` store loaded before promotion).
 * `o.activate` and `o.gate` are ignored: the version is promoted only through the gate.
 */
export async function retrain(engine: Engine, o: TrainOptions, progress: Progress, opts: { tolerance?: number } = {}): Promise<RetrainResult> {
  if (!o.evaluate) throw new Error('retrain needs the evaluation for its quality gate');
  const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
  const registry = new LocalRegistry(o.modelsDir);
  const fp = await dataFingerprint(engine, o, progress);
  const existing = registry.list().filter((m) => m.data.fingerprint === fp && sameRun(m, o)).at(-1);
  if (existing) {
    const v = existing.version;
    const state = registry.state(v);
    const decided = registry.history().filter((e) => e.version === v && (e.action === 'refuse' || e.action === 'activate')).at(-1);
    if (state === 'active') return { action: 'unchanged', version: v, active: v, message: `${v} was trained on the same data and parameters and is already active; nothing to do` };
    if (decided) {
      return {
        action: 'unchanged',
        version: v,
        active: registry.activeVersion(),
        message: `${v} was trained on the same data and parameters and already ${decided.action === 'refuse' ? `refused by the gate (${decided.reason ?? 'no reason recorded'})` : 'promoted before (now retired)'}; nothing to do`,
      };
    }
    const r = await gateLoadPromote(registry, v, o, tolerance, progress);
    return { action: 'resumed', ...r, message: `${v} (written by an earlier run, never promoted or refused): ${r.message}` };
  }
  const { activate: _a, gate: _g, load: _l, ...rest } = o;
  const t = await train(engine, { ...rest, activate: false }, progress);
  const r = await gateLoadPromote(registry, t.manifest.version, o, tolerance, progress);
  return { action: 'trained', ...r, message: `${t.manifest.version}: ${r.message}` };
}

/** Gates candidate `v`; on a pass loads it into `o.load`'s store (if any), then promotes it. */
async function gateLoadPromote(registry: LocalRegistry, v: string, o: TrainOptions, tolerance: number, progress: Progress): Promise<Omit<RetrainResult, 'action'>> {
  const first = judge(registry, v, { tolerance });
  if (!first.pass) {
    const d = promoteWithGate(registry, v, { tolerance }); // records the refusal
    return { version: v, active: registry.activeVersion(), gate: d, message: `refused, stays a candidate: ${d.reason}` };
  }
  let load: StoreLoadResult | undefined;
  if (o.load) load = await loadIntoStore(tableOfArtifact(readArtifact(registry.versionDir(v), { verify: true })), o.load, progress);
  const d = promoteWithGate(registry, v, { tolerance });
  const loaded = load ? `; loaded into ${load.store} (${load.users} users, ${load.usersPerSecond} users/s) before the switch` : '';
  if (!d.promoted) {
    // The active model changed while the store was loading and the gate now says no.
    return { version: v, active: registry.activeVersion(), gate: d, ...(load && { load }), message: `refused, stays a candidate: ${d.reason}${loaded}` };
  }
  return { version: v, active: registry.activeVersion(), gate: d, ...(load && { load }), message: `promoted: ${d.reason}${loaded}` };
}

/** The fingerprint `train` would record for these options' data (same load and preparation). */
async function dataFingerprint(engine: Engine, o: TrainOptions, progress: Progress): Promise<string> {
  const loaded = await loadSource(o.dataset, engine, o, progress);
  const ratings = o.events === undefined ? loaded.ratings : (await mergeConfiguredEvents(loaded.ratings, o.events)).dataset;
  const { dataset: all } = prepare(ratings, {
    dedupe: o.prepare.dedupe,
    ...(o.prepare.minUserCount || o.prepare.minItemCount ? { minCounts: { users: o.prepare.minUserCount || 1, items: o.prepare.minItemCount || 1 } } : {}),
    ...(o.prepare.kCore ? { kCore: o.prepare.kCore } : {}),
  });
  return fingerprint(all.users, all.items, all.ratings);
}

/** Whether `m` was trained with these options' algorithm, parameters and split (as `train` records them). */
function sameRun(m: Manifest, o: TrainOptions): boolean {
  const algorithm = algorithmNamed(o.algorithm?.name ?? 'als');
  if ((m.algorithm ?? 'als') !== algorithm.name) return false;
  const params = { ...algorithmParams(algorithm, o), feedback: formatFeedback(o.feedback), k: o.k, depth: o.depth, refit: o.refit };
  const split = m.data.split as Record<string, unknown> | null | undefined;
  const splitMatches = !!split && (Object.keys(o.split) as Array<keyof typeof o.split>).every((k) => split[k] === o.split[k]);
  return splitMatches && canonical(m.params) === canonical(JSON.parse(JSON.stringify(params)) as unknown);
}

function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (x && typeof x === 'object') {
    return `{${Object.keys(x)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((x as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(x);
}
