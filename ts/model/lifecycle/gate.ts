// Owns the quality gate: whether a candidate model may replace the active one. A candidate passes
// when it was evaluated on the same protocol as the active model, its NDCG@10 is at least the
// active model's minus a tolerance, and it beats its own popularity baseline. `promoteWithGate`
// applies the decision to a registry: promote on a pass, record the reason on a refusal; `judge`
// only decides (retrain loads the serving store between the two).

import type { Manifest } from '../manifest.js';
import type { LocalRegistry } from '../registry.js';

export const GATE_METRIC = 'ndcg@10';
export const DEFAULT_TOLERANCE = 0.01;

export interface GateOptions {
  /** How far below the active model's metric a candidate may be (default 0.01). */
  tolerance?: number;
  /** The metric compared (default ndcg@10). */
  metric?: string;
}

export interface GateDecision {
  pass: boolean;
  reason: string;
  metric: string;
  candidate: number | null;
  active: number | null;
  baseline: number | null;
}

const fmt = (x: number) => x.toFixed(4);

/** The evaluation protocol of a manifest: split settings and cut-off (not the resulting counts). */
function protocol(m: Manifest): string | null {
  const s = m.data.split as Record<string, unknown> | null | undefined;
  if (!s) return null;
  return JSON.stringify({ method: s.method, ratio: s.ratio, by: s.by, seed: s.seed, minRating: s.minRating, k: m.params.k });
}

export function decide(candidate: Manifest, active: Manifest | null, o: GateOptions = {}): GateDecision {
  const metric = o.metric ?? GATE_METRIC;
  const tolerance = o.tolerance ?? DEFAULT_TOLERANCE;
  const c = candidate.metrics[metric] ?? null;
  const b = candidate.baseline[metric] ?? null;
  const a = active ? (active.metrics[metric] ?? null) : null;
  const out = (pass: boolean, reason: string): GateDecision => ({ pass, reason, metric, candidate: c, active: a, baseline: b });
  if (c === null) return out(false, `${candidate.version} was not evaluated (no ${metric} in its manifest)`);
  if (b === null) return out(false, `${candidate.version} has no popularity baseline ${metric} to beat`);
  if (!(c > b)) return out(false, `${metric} ${fmt(c)} does not beat the popularity baseline ${fmt(b)}`);
  if (!active || active.version === candidate.version) return out(true, `${metric} ${fmt(c)} beats the popularity baseline ${fmt(b)}; no other active model`);
  if (a === null) return out(true, `${metric} ${fmt(c)} beats the popularity baseline ${fmt(b)}; the active ${active.version} has no ${metric} to compare`);
  const pc = protocol(candidate);
  const pa = protocol(active);
  if (pc !== pa)
    return out(false, `${candidate.version} and the active ${active.version} were evaluated on different protocols (${pc ?? 'none'} vs ${pa ?? 'none'}); their ${metric} cannot be compared`);
  if (c < a - tolerance) {
    return out(false, `${metric} ${fmt(c)} is below the active ${active.version}'s ${fmt(a)} minus the tolerance ${tolerance} (${fmt(a - tolerance)})`);
  }
  return out(true, `${metric} ${fmt(c)} ≥ the active ${active.version}'s ${fmt(a)} − ${tolerance}, and beats the popularity baseline ${fmt(b)}`);
}

/**
 * Gates `version` against the registry's active model: on a pass it is promoted (checksums
 * verified); on a refusal it stays a candidate and the reason is recorded in the history.
 * With `force` the gate is skipped (the checksums are still verified).
 */
export function promoteWithGate(registry: LocalRegistry, version: string, o: GateOptions & { force?: boolean } = {}): GateDecision & { promoted: boolean } {
  const d = judge(registry, version, o);
  if (o.force) {
    const reason = d.pass ? d.reason : `forced past the gate: ${d.reason}`;
    registry.promote(version, { force: true, reason });
    return { ...d, pass: d.pass, reason, promoted: true };
  }
  if (!d.pass) {
    registry.record({ action: 'refuse', version, reason: d.reason });
    return { ...d, promoted: false };
  }
  registry.activate(version, { verify: true, via: 'gate', reason: d.reason });
  return { ...d, promoted: true };
}

/** The gate's decision on `version` against the registry's active model, without applying it. */
export function judge(registry: LocalRegistry, version: string, o: GateOptions = {}): GateDecision {
  const candidate = registry.manifest(version);
  const activeName = registry.activeVersion();
  const active = activeName === null || activeName === version ? null : safeManifest(registry, activeName);
  return decide(candidate, active, o);
}

function safeManifest(registry: LocalRegistry, v: string): Manifest | null {
  try {
    return registry.manifest(v);
  } catch {
    // The active version's manifest is unreadable: compare with nothing rather than block a fix.
    return null;
  }
}
