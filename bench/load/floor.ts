// Owns the figures of `pnpm bench:load-floor` (../load-floor.ts): the server's own histogram of the
// API routes summed over a step, the side-by-side rows (bench percentiles from the intended send
// time, the generator's send lag, the server's percentiles) and whose knee it is.

import { ROUTES } from './report.js';
import type { StepResult } from './run.js';
import { histogramQuantile, type RouteHistogram } from './server-metrics.js';

export interface FloorRow {
  endpoint: string;
  rate: number;
  step: StepResult;
  /** The API's own histogram over the step, all API routes summed; null for the bare endpoint. */
  server: RouteHistogram | null;
}

const ms = (us: number) => (Number.isFinite(us) ? (us / 1000).toFixed(us < 10_000 ? 3 : 1) : '—');

/** The API routes' histograms over the step, summed (they share the server's bucket bounds). */
export function apiHistogram(snapshot: Map<string, RouteHistogram>): RouteHistogram | null {
  let sum: RouteHistogram | null = null;
  for (const [route, h] of snapshot) {
    if (!Object.values(ROUTES).includes(route)) continue;
    if (!sum) sum = { bounds: [...h.bounds], cumulative: [...h.cumulative] };
    else h.cumulative.forEach((c, i) => (sum!.cumulative[i]! += c));
  }
  return sum;
}

export const FLOOR_HEADER = ['endpoint', 'rate', 'answered/s', 'bench p50', 'p99', 'p99.9', 'max', 'send lag p99', 'median second p99', 'server p50', 'p99', 'p99.9', 'cold conns'];

/** The median over the step's seconds of each second's p99, µs: what a second without a stall of the shared machine looks like. */
export function medianSecondP99(step: StepResult): number {
  const p99s = step.perSecond.filter((s) => s.latency.count > 0).map((s) => s.latency.quantile(0.99));
  p99s.sort((a, b) => a - b);
  return p99s.length === 0 ? NaN : p99s[Math.floor((p99s.length - 1) / 2)]!;
}

export function floorRows(rows: FloorRow[]): string[][] {
  const q = (h: RouteHistogram | null, p: number) => (h ? ms(histogramQuantile(p, h) * 1e6) : '—');
  return rows.map((r) => [
    r.endpoint,
    r.rate.toLocaleString('en-US'),
    Math.round(r.step.achievedRps).toLocaleString('en-US'),
    ms(r.step.latency.quantile(0.5)),
    ms(r.step.latency.quantile(0.99)),
    ms(r.step.latency.quantile(0.999)),
    ms(r.step.latency.maxUs),
    ms(r.step.lag.quantile(0.99)),
    ms(medianSecondP99(r.step)),
    q(r.server, 0.5),
    q(r.server, 0.99),
    q(r.server, 0.999),
    String(r.step.coldConnections),
  ]);
}

/** Whose knee: the API's when it is clearly below the bare endpoint's, the generator's when it is not. */
export function whoseKnee(bare: number | null, api: number | null): string {
  if (bare === null || api === null) return '';
  const r = (n: number) => Math.round(n).toLocaleString('en-US');
  return api >= 0.85 * bare
    ? `the API's knee (${r(api)} req/s) is as high as the bare endpoint's (${r(bare)}): it is not the server's but the generator's (or, on a shared machine, the machine's)`
    : `the API's knee (${r(api)} req/s) is below the bare endpoint's (${r(bare)}): it is the server's`;
}
