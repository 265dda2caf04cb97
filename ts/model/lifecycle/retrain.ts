// Owns the scheduled retrain (a Kubernetes CronJob's one step): read the data (and the event store)
// once → train → evaluate → publish (./publish.ts: gate → load the serving store → promote). The store is loaded before the
// registry's active pointer flips, so servers never switch to a version their store lacks.
//
// It is idempotent and safe to rerun after a crash at any step: a version with the same data
// fingerprint, parameters and split is never trained twice. A version that was written but never
// decided (a crash after training, or between the store load and the promotion) is gated, loaded
// (the loaders overwrite the same keys or documents) and promoted by the rerun; a version already
// refused or active is left alone.

import type { Engine } from '../../engine/index.js';
import type { Manifest } from '../manifest.js';
import { formatFeedback } from '../pipeline/feedback.js';
import type { TrainOptions } from '../pipeline/options.js';
import { prepareData } from '../pipeline/prepared-data.js';
import type { Progress } from '../pipeline/progress.js';
import type { StoreLoadResult } from '../pipeline/store-load.js';
import { train } from '../pipeline/train.js';
import { LocalRegistry } from '../registry.js';
import { DEFAULT_TOLERANCE, type GateDecision } from './gate.js';
import { publish } from './publish.js';
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
  const data = await prepareData(engine, o, progress); // read once: fingerprinted here, trained on below
  const existing = registry
    .list()
    .filter((m) => m.data.fingerprint === data.fingerprint && sameRun(m, o))
    .at(-1);
  if (existing) {
    const v = existing.version;
    const state = registry.state(v);
    const decided = registry
      .history()
      .filter((e) => e.version === v && (e.action === 'refuse' || e.action === 'activate'))
      .at(-1);
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
  const t = await train(engine, { ...rest, activate: false }, progress, data);
  const r = await gateLoadPromote(registry, t.manifest.version, o, tolerance, progress);
  return { action: 'trained', ...r, message: `${t.manifest.version}: ${r.message}` };
}

/** Publishes candidate `v` through the gate, loading `o.load`'s store (if any) before the switch. */
async function gateLoadPromote(registry: LocalRegistry, v: string, o: TrainOptions, tolerance: number, progress: Progress): Promise<Omit<RetrainResult, 'action'>> {
  const p = await publish(registry, v, { activate: true, gate: { tolerance }, load: o.load }, progress);
  return { version: v, active: registry.activeVersion(), ...(p.gate && { gate: p.gate }), ...(p.load && { load: p.load }), message: p.message };
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
