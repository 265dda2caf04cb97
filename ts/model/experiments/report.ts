// Owns an experiment's online result, computed from the event store's impressions and the events
// that name a recommendation: attribution (an event joins the impressions of its recommendationId
// when it happened within the window after they were shown; an id with no impression stored is
// "unknown", one outside the window "expired": counted, never errors), then per variant the
// impressions, click-through rate (impressions with a click of the experiment's click types) and
// conversion rate, each with a 95 % interval clustered by user (the unit of randomisation), each
// treatment's difference from the control with a two-sided z-test (fixed horizon: read once the
// planned sample is reached), and the curves over time (cumulative rates per period).

import { ratioEstimate, ratioTest, type Comparison, type RatioEstimate } from '../../eval/ab-test.js';
import type { Impression } from '../../events/impressions.js';
import type { TrackedEvent } from '../../events/types.js';
import { Assigner } from './assign.js';
import type { Experiment } from './definition.js';

export const DEFAULT_WINDOW_MS = 24 * 3600 * 1000;

export interface VariantResult {
  name: string;
  version: string;
  share: number;
  users: number;
  impressions: number;
  ctr: RatioEstimate;
  conversion: RatioEstimate;
  /** Against the control (absent for the control). */
  vsControl?: { ctr: Comparison; conversion: Comparison };
}

export interface Attribution {
  /** Events joined to an impression of their recommendation within the window. */
  attributed: number;
  /** Events naming a recommendationId with no impression stored. */
  unknown: number;
  /** Events outside the window (before the impression, or later than the window after it). */
  expired: number;
}

export interface CurvePoint {
  at: string;
  /** Cumulative CTR per variant at the end of the period. */
  ctr: number[];
  impressions: number[];
}

export interface ExperimentReport {
  experiment: string;
  state: Experiment['state'];
  windowMs: number;
  from: string;
  to: string;
  minImpressions: number;
  /** Every variant reached the planned sample: the test may be read. */
  readable: boolean;
  variants: VariantResult[];
  attribution: Attribution;
  curve: CurvePoint[];
}

interface Shown {
  userId: string;
  shownAt: number;
  /** position → [clicked, converted] */
  clicked: Set<number>;
  converted: Set<number>;
  items: Map<string, number>;
  variant: number;
}

export function experimentReport(e: Experiment, impressions: readonly Impression[], events: readonly TrackedEvent[], o: { windowMs?: number; now?: number; points?: number } = {}): ExperimentReport {
  const windowMs = o.windowMs ?? DEFAULT_WINDOW_MS;
  const from = Date.parse(e.createdAt);
  const to = e.stoppedAt ? Date.parse(e.stoppedAt) : (o.now ?? Date.now());
  const assigner = new Assigner(e);
  const recs = new Map<string, Shown>();
  for (const i of impressions) {
    if (i.shownAt < from || i.shownAt > to) continue;
    let s = recs.get(i.recommendationId);
    if (!s) recs.set(i.recommendationId, (s = { userId: i.userId, shownAt: i.shownAt, clicked: new Set(), converted: new Set(), items: new Map(), variant: assigner.variantIndex(i.userId) }));
    s.items.set(i.itemId, i.position);
  }
  const attribution: Attribution = { attributed: 0, unknown: 0, expired: 0 };
  const clicks = new Set<string>(e.clickTypes);
  const conversions = new Set<string>(e.conversionTypes);
  for (const ev of events) {
    if (ev.recommendationId === undefined) continue;
    const s = recs.get(ev.recommendationId);
    if (!s) {
      attribution.unknown++;
      continue;
    }
    if (ev.timestamp < s.shownAt || ev.timestamp - s.shownAt > windowMs) {
      attribution.expired++;
      continue;
    }
    attribution.attributed++;
    const position = ev.position ?? s.items.get(ev.itemId);
    if (position === undefined) continue;
    if (clicks.has(ev.type)) s.clicked.add(position);
    if (conversions.has(ev.type)) s.converted.add(position);
  }
  const k = e.variants.length;
  // per variant, per user: impressions, clicked impressions, converted impressions
  const perUser = Array.from({ length: k }, () => new Map<string, [number, number, number]>());
  const shownOrder = [...recs.values()].sort((a, b) => a.shownAt - b.shownAt);
  const points = o.points ?? 20;
  const curve: CurvePoint[] = [];
  const totals = Array.from({ length: k }, () => [0, 0]);
  const step = Math.max(1, (to - from) / points);
  let next = from + step;
  const flush = (at: number) => curve.push({ at: new Date(at).toISOString(), ctr: totals.map(([n, c]) => (n! > 0 ? c! / n! : 0)), impressions: totals.map(([n]) => n!) });
  for (const s of shownOrder) {
    while (s.shownAt > next) {
      flush(next);
      next += step;
    }
    const m = perUser[s.variant]!;
    const row = m.get(s.userId) ?? [0, 0, 0];
    row[0] += s.items.size;
    row[1] += s.clicked.size;
    row[2] += s.converted.size;
    m.set(s.userId, row);
    totals[s.variant]![0]! += s.items.size;
    totals[s.variant]![1]! += s.clicked.size;
  }
  while (next < to + step / 2) {
    flush(Math.min(next, to));
    next += step;
  }
  const results: VariantResult[] = e.variants.map((v, i) => {
    const rows = [...perUser[i]!.values()];
    const x = rows.map((r) => r[0]);
    return {
      name: v.name,
      version: v.version,
      share: v.share,
      users: rows.length,
      impressions: x.reduce((a, b) => a + b, 0),
      ctr: ratioEstimate(
        rows.map((r) => r[1]),
        x,
      ),
      conversion: ratioEstimate(
        rows.map((r) => r[2]),
        x,
      ),
    };
  });
  const control = results[0]!;
  for (const r of results.slice(1)) r.vsControl = { ctr: ratioTest(control.ctr, r.ctr, e.plan.alpha), conversion: ratioTest(control.conversion, r.conversion, e.plan.alpha) };
  return {
    experiment: e.name,
    state: e.state,
    windowMs,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    minImpressions: e.plan.minImpressions,
    readable: results.every((r) => r.impressions >= e.plan.minImpressions),
    variants: results,
    attribution,
    curve,
  };
}
