// Owns ending an experiment with a decision: never before every variant has the planned sample
// (the fixed horizon of the z-test); then the treatment with the largest significant gain in
// click-through rate over the control (two-sided test, the experiment's alpha) is promoted
// through the registry with the same quality gate as `recs models promote` (or --force past it),
// the online result written into the history entry; without such a treatment, or when the
// winner is the popularity baseline (not a version), the control is kept. Either way the
// experiment is marked concluded with its outcome.

import { formatP } from '../../eval/ab-test.js';
import { judge } from '../lifecycle/gate.js';
import type { LocalRegistry } from '../registry.js';
import { ExperimentError, POPULARITY, type Experiment, type Outcome } from './definition.js';
import type { ExperimentReport, VariantResult } from './report.js';

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** One line of the online result of `v` against the control. */
export function onlineSummary(e: Experiment, r: ExperimentReport, v: VariantResult): string {
  const c = r.variants[0]!;
  const t = v.vsControl!.ctr;
  return `online: experiment ${e.name}, ${v.name} (${v.version}) CTR ${pct(v.ctr.rate)} over ${v.impressions} impressions vs control ${c.name} ${pct(c.ctr.rate)} over ${c.impressions}: ${t.difference >= 0 ? '+' : ''}${pct(t.difference)} (95 % CI ${pct(t.low)} to ${pct(t.high)}), p ${formatP(t.pValue)}, two-sided z-test clustered by user`;
}

/** The variant the result favours (an index > 0), or null to keep the control; throws below the planned sample. */
export function winnerOf(e: Experiment, r: ExperimentReport): number | null {
  if (!r.readable) {
    const short = r.variants.filter((v) => v.impressions < r.minImpressions).map((v) => `${v.name} ${v.impressions}`);
    throw new ExperimentError(
      `not enough data to conclude ${e.name}: every variant needs ${r.minImpressions} impressions (the planned fixed-horizon sample; reading the test earlier inflates false positives), short: ${short.join(', ')}`,
    );
  }
  let best: number | null = null;
  r.variants.forEach((v, i) => {
    const t = v.vsControl?.ctr;
    if (t?.significant && t.difference > 0 && (best === null || t.difference > r.variants[best]!.vsControl!.ctr.difference)) best = i;
  });
  return best;
}

/**
 * Applies the decision to the registry (promotion through the gate) and returns the outcome to
 * store in the experiment.
 */
export function conclude(e: Experiment, r: ExperimentReport, reg: LocalRegistry, o: { tolerance?: number; force?: boolean; now?: Date } = {}): Outcome & { promoted: boolean } {
  const at = (o.now ?? new Date()).toISOString();
  const w = winnerOf(e, r);
  if (w === null) return { at, winner: null, promoted: false, reason: `no treatment beat the control ${e.variants[0]!.name} significantly; the control is kept` };
  const v = r.variants[w]!;
  const online = onlineSummary(e, r, v);
  if (v.version === POPULARITY) return { at, winner: null, promoted: false, reason: `the popularity baseline won (${online}); no model version to promote, the control is kept` };
  if (reg.activeVersion() === v.version) return { at, winner: v.name, promoted: false, reason: `${v.version} is already active; ${online}` };
  const d = judge(reg, v.version, o.tolerance === undefined ? {} : { tolerance: o.tolerance });
  if (!d.pass && !o.force) {
    reg.record({ action: 'refuse', version: v.version, reason: `${d.reason}; ${online}` });
    return { at, winner: null, promoted: false, reason: `${v.name} won online but the gate refused ${v.version}: ${d.reason}; the control is kept` };
  }
  const reason = `${d.pass ? d.reason : `forced past the gate: ${d.reason}`}; ${online}`;
  reg.activate(v.version, { verify: true, via: 'experiment', reason });
  return { at, winner: v.name, promoted: true, reason };
}
