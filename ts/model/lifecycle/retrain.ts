// Owns the scheduled retrain (a Kubernetes CronJob's one step): load the data → train → evaluate
// → gate → promote. It is idempotent and safe to rerun after a crash at any step: a version with
// the same data fingerprint, parameters and split is never trained twice. If that version was
// written but never gated (a crash between the two), the rerun gates it; if it was already gated
// or is active, the rerun changes nothing.

import { prepare } from '../../data/index.js';
import type { Engine } from '../../engine/index.js';
import { fingerprint, type Manifest } from '../manifest.js';
import { formatFeedback } from '../pipeline/feedback.js';
import type { TrainOptions } from '../pipeline/options.js';
import type { Progress } from '../pipeline/progress.js';
import { loadSource } from '../pipeline/source.js';
import { train } from '../pipeline/train.js';
import { LocalRegistry } from '../registry.js';
import { DEFAULT_TOLERANCE, promoteWithGate, type GateDecision } from './gate.js';

export interface RetrainResult {
  /** trained: a new version; resumed: an existing ungated version was gated; unchanged: nothing to do. */
  action: 'trained' | 'resumed' | 'unchanged';
  version: string;
  active: string | null;
  /** The gate's decision when one was made now. */
  gate?: GateDecision;
  message: string;
}

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
    const d = promoteWithGate(registry, v, { tolerance });
    return { action: 'resumed', version: v, active: registry.activeVersion(), gate: d, message: `${v} (written by an earlier run, never gated): ${d.promoted ? 'promoted' : 'refused'}: ${d.reason}` };
  }
  const r = await train(engine, { ...o, activate: true, gate: { tolerance } }, progress);
  const d = r.gate!;
  return { action: 'trained', version: r.manifest.version, active: registry.activeVersion(), gate: d, message: `${r.manifest.version}: ${r.activated ? 'promoted' : 'refused, stays a candidate'}: ${d.reason}` };
}

/** The fingerprint `train` would record for these options' data (same load and preparation). */
async function dataFingerprint(engine: Engine, o: TrainOptions, progress: Progress): Promise<string> {
  const loaded = await loadSource(o.dataset, engine, o, progress);
  const { dataset: all } = prepare(loaded.ratings, {
    dedupe: o.prepare.dedupe,
    ...(o.prepare.minUserCount || o.prepare.minItemCount ? { minCounts: { users: o.prepare.minUserCount || 1, items: o.prepare.minItemCount || 1 } } : {}),
    ...(o.prepare.kCore ? { kCore: o.prepare.kCore } : {}),
  });
  return fingerprint(all.users, all.items, all.ratings);
}

/** Whether `m` was trained with these options' parameters and split (as `train` records them). */
function sameRun(m: Manifest, o: TrainOptions): boolean {
  const params = { ...o.als, feedback: formatFeedback(o.feedback), k: o.k, depth: o.depth, refit: o.refit };
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
