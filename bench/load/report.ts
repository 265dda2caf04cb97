// Owns the text, Markdown and JSON forms of a target run's results: one table row per mix entry
// plus the total (counts by outcome, answered requests/s, latency percentiles to p99.99 from the
// intended send time), the generator's own health (send lag, connections), the target's
// /metrics view beside the bench's, and the knee curve when there is one.

import { markdownTable, textTable } from '../table.js';
import { Histogram, PERCENTILES } from './histogram.js';
import type { KneeResult } from './knee.js';
import type { Counts, StepResult } from './run.js';
import type { Scenario } from './scenario.js';
import { ms, type Objective } from './slo.js';
import { histogramQuantile, type MetricsSnapshot } from './server-metrics.js';

export interface RunReport {
  date: string;
  command: string;
  hardware: string;
  urls: string[];
  modelVersion: string;
  idsFrom: string;
  scenario: Scenario;
  arrival: string;
  /** The main step (the single run, or the knee step reported in full). */
  step: StepResult;
  /** The target's own durations over the main step, by route (null when /metrics was unreadable). */
  server: MetricsSnapshot | null;
  knee: KneeResult | null;
  objectives: Objective[];
}

const PCT_LABELS = PERCENTILES.map((q) => `p${Number((q * 100).toPrecision(4))}`);
export const HEADER = ['request', 'sent', '2xx', 'non-2xx', 'errors', 'timeouts', 'answers/s', ...PCT_LABELS.map((l) => `${l} ms`), 'max ms'];

function row(name: string, c: Counts, h: Histogram, seconds: number): string[] {
  return [
    name,
    String(c.ok + c.non2xx + c.errors + c.timeouts),
    String(c.ok),
    String(c.non2xx),
    String(c.errors),
    String(c.timeouts),
    Math.round((c.ok + c.non2xx) / seconds).toLocaleString('en-US'),
    ...PERCENTILES.map((q) => ms(h.quantile(q))),
    ms(h.maxUs),
  ];
}

export function rows(step: StepResult): string[][] {
  const out = step.byEntry.map((e) => row(e.name, e.counts, e.latency, step.durationS));
  if (step.byEntry.length > 1) out.push(row('all', step.counts, step.latency, step.durationS));
  return out;
}

/** The route of the server's histogram a mix entry's requests land on. */
const ROUTES: Record<string, string> = { recommendations: '/v1/users/{userId}/recommendations', similar: '/v1/items/{itemId}/similar', events: '/v1/events' };
export { ROUTES };

export const SERVER_HEADER = ['route (server /metrics)', 'requests', 'p50 ms', 'p99 ms', 'p99.9 ms'];
export function serverRows(server: MetricsSnapshot | null): string[][] {
  if (!server) return [];
  return [...server.entries()]
    .filter(([route]) => Object.values(ROUTES).includes(route))
    .map(([route, h]) => [route, String(h.cumulative.at(-1)), ms(histogramQuantile(0.5, h) * 1e6), ms(histogramQuantile(0.99, h) * 1e6), ms(histogramQuantile(0.999, h) * 1e6)]);
}

export const KNEE_HEADER = ['rate asked', 'answered/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'errors+timeouts', 'send lag p99 ms', 'objective'];
export function kneeRows(k: KneeResult): string[][] {
  return [...k.points]
    .sort((a, b) => a.rate - b.rate)
    .map((p) => [
      Math.round(p.rate).toLocaleString('en-US'),
      Math.round(p.step.achievedRps).toLocaleString('en-US'),
      ms(p.step.latency.quantile(0.5)),
      ms(p.step.latency.quantile(0.99)),
      ms(p.step.latency.quantile(0.999)),
      String(p.step.counts.errors + p.step.counts.timeouts),
      ms(p.step.lag.quantile(0.99)),
      p.judgement.pass ? 'met' : `missed (${p.judgement.reasons.join('; ')})`,
    ]);
}

export function summaryLines(r: RunReport): string[] {
  const s = r.step;
  const lines = [
    `target: ${r.urls.join(', ')} — model ${r.modelVersion}; ids: ${r.idsFrom}`,
    `scenario: ${r.scenario.name} — ${r.arrival}, ${s.durationS} s`,
    `generator: send lag p50 ${ms(s.lag.quantile(0.5))} ms, p99 ${ms(s.lag.quantile(0.99))} ms, max ${ms(s.lag.maxUs)} ms; ${s.peakConnections} connections at most (${s.coldConnections} opened during the run), ${s.peakQueue} requests waited for one at most${s.unsent > 0 ? `; ${s.unsent} scheduled requests not sent (request cap)` : ''}`,
  ];
  const statuses = Object.entries(s.statuses)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const errors = Object.entries(s.errorCodes)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  lines.push(`statuses: ${statuses || 'none'}${errors ? `; connection errors: ${errors}` : ''}`);
  if (s.lag.quantile(0.99) > 1000)
    lines.push(`warning: the generator sent 1 % of requests over 1 ms late: it was short of CPU (add --workers, or run it on another machine); latencies include that delay`);
  const cmp = serverComparison(r);
  if (cmp)
    lines.push(
      `server's own /metrics, ${cmp.route}: p99 ${ms(cmp.serverUs)} ms (interpolated inside its buckets ${cmp.bucket}) vs the bench's ${ms(cmp.benchUs)} ms from the intended send time; the difference is the network, the wait before the server reads a request, and the generator`,
    );
  if (r.knee)
    lines.push(
      r.knee.knee === null
        ? `knee: none — ${r.knee.stoppedBy}`
        : `knee: ${Math.round(r.knee.knee).toLocaleString('en-US')} req/s is the highest rate that met ${r.objectives.map((o) => `${o.label} < ${o.boundUs / 1000} ms`).join(', ')} (${r.knee.stoppedBy})`,
    );
  return lines;
}

export function textReport(r: RunReport): string {
  const parts = [textTable(HEADER, rows(r.step)), '', ...summaryLines(r)];
  if (r.server) parts.push('', textTable(SERVER_HEADER, serverRows(r.server)));
  if (r.knee) parts.push('', textTable(KNEE_HEADER, kneeRows(r.knee)));
  return parts.join('\n');
}

export function markdownReport(r: RunReport): string {
  const parts = [`# Load test: ${r.scenario.name}`, '', `${r.date}, ${r.hardware}`, '', '`' + r.command + '`', '', markdownTable(HEADER, rows(r.step)), '', ...summaryLines(r).map((l) => `- ${l}`)];
  if (r.server) parts.push('', markdownTable(SERVER_HEADER, serverRows(r.server)));
  if (r.knee) parts.push('', '## Knee', '', markdownTable(KNEE_HEADER, kneeRows(r.knee)));
  return parts.join('\n') + '\n';
}

/** JSON: percentiles rather than raw histograms, per second and per step. */
export function jsonReport(r: RunReport): unknown {
  const pct = (h: Histogram) => Object.fromEntries([...PCT_LABELS.map((l, i) => [l, h.quantile(PERCENTILES[i]!) / 1000]), ['max', h.maxUs / 1000], ['mean', h.meanUs() / 1000]]);
  const step = (s: StepResult) => ({
    rate: Number.isFinite(s.rate) ? s.rate : null,
    durationS: s.durationS,
    sent: s.sent,
    unsent: s.unsent,
    counts: s.counts,
    answeredPerSecond: s.achievedRps,
    latencyMs: pct(s.latency),
    sendLagMs: pct(s.lag),
    byEntry: s.byEntry.map((e) => ({ name: e.name, counts: e.counts, latencyMs: pct(e.latency) })),
    perSecond: s.perSecond.map((p, i) => ({ second: i, ...p, latency: undefined, latencyMs: pct(p.latency) })),
    statuses: s.statuses,
    errorCodes: s.errorCodes,
    peakConnections: s.peakConnections,
    coldConnections: s.coldConnections,
  });
  return {
    date: r.date,
    command: r.command,
    hardware: r.hardware,
    urls: r.urls,
    modelVersion: r.modelVersion,
    idsFrom: r.idsFrom,
    scenario: r.scenario,
    arrival: r.arrival,
    step: step(r.step),
    server: r.server && Object.fromEntries(serverRows(r.server).map(([route, n, p50, p99, p999]) => [route, { requests: Number(n), p50Ms: Number(p50), p99Ms: Number(p99), p999Ms: Number(p999) }])),
    objectives: r.objectives.map((o) => ({ percentile: o.label, boundMs: o.boundUs / 1000 })),
    knee: r.knee && { rate: r.knee.knee, stoppedBy: r.knee.stoppedBy, steps: r.knee.points.map((p) => ({ met: p.judgement.pass, reasons: p.judgement.reasons, ...step(p.step) })) },
  };
}

/** The bench's p99 of recommendation reads beside the target's own (its /metrics histogram over the same step). */
export function serverComparison(r: RunReport): { route: string; serverUs: number; benchUs: number; bucket: string } | null {
  const route = ROUTES['recommendations']!;
  const server = r.server?.get(route);
  if (!server) return null;
  const bench = new Histogram();
  r.scenario.mix.forEach((m, i) => m.request === 'recommendations' && bench.add(r.step.byEntry[i]!.latency));
  if (bench.count === 0) return null;
  const serverUs = histogramQuantile(0.99, server) * 1e6;
  const i = server.bounds.findIndex((b) => b * 1e6 >= serverUs);
  const bucket = `${i > 0 ? server.bounds[i - 1]! * 1000 : 0}–${server.bounds[i]! * 1000} ms`;
  return { route, serverUs, benchUs: bench.quantile(0.99), bucket };
}
