// Owns the load test's HTML report: one self-contained page (inline SVG charts drawn by the
// training report's chart code, no scripts, opens offline) with the results table, latency over
// time (p50 / p99 / p99.9 per second of intended send time), answers per second against the rate
// asked, errors and timeouts per second, the percentile distribution to p99.99, the target's own
// /metrics view, and the knee curve when a knee search ran.

import { escapeHtml as esc, lineChart, type Series } from '../../ts/model/report/svg.js';
import { HEADER, KNEE_HEADER, kneeRows, rows, SERVER_HEADER, serverRows, summaryLines, type RunReport } from './report.js';
import type { Histogram } from './histogram.js';
import { rateFactorAt } from './scenario.js';

const BLUE = '#1f6feb';
const RED = '#d1242f';
const GREEN = '#1a7f37';
const GREY = '#6e7781';
const ORANGE = '#bc4c00';

function table(header: string[], body: string[][]): string {
  return `<table><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${body.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
}

/** Latency (ms) at percentiles from p0 to p99.99, x as 1/(1−q) so the tail gets the room. */
function distribution(h: Histogram): Array<[number, number]> {
  const pts: Array<[number, number]> = [];
  for (let k = 0; k <= 40; k++) {
    const q = 1 - 10 ** (-k / 10); // 0 → 0.9999 in tenths of a decade
    if (q <= 0 || q > 0.9999) continue;
    pts.push([1 / (1 - q), h.quantile(q) / 1000]);
  }
  return pts;
}

export function renderHtml(r: RunReport): string {
  const s = r.step;
  const sec = (f: (p: (typeof s.perSecond)[number]) => number): Array<[number, number]> => s.perSecond.map((p, i) => [i + 0.5, f(p)]);
  const withData = s.perSecond.map((p) => p.latency.count > 0);
  const lat = (q: number) => sec((p) => p.latency.quantile(q) / 1000).filter((_, i) => withData[i]);
  const charts: string[] = [];
  charts.push(
    lineChart(
      [
        { label: 'p50', points: lat(0.5), color: BLUE },
        { label: 'p99', points: lat(0.99), color: RED },
        { label: 'p99.9', points: lat(0.999), color: ORANGE },
        ...r.objectives.map(
          (o): Series => ({
            label: `objective ${o.label} < ${o.boundUs / 1000} ms`,
            points: [
              [0, o.boundUs / 1000],
              [s.durationS, o.boundUs / 1000],
            ],
            color: GREY,
          }),
        ),
      ],
      { title: 'Latency over time (from the intended send time)', xLabel: 'second of the run', yLabel: 'ms', logY: true },
    ),
  );
  const asked: Series[] = Number.isFinite(s.rate)
    ? [{ label: 'rate asked', points: s.perSecond.map((_, i) => [i + 0.5, s.rate * rateFactorAt(r.scenario.phases, i + 0.5, s.durationS)]), color: GREY }]
    : [];
  charts.push(
    lineChart([{ label: 'answers/s', points: sec((p) => p.ok + p.non2xx), color: GREEN }, ...asked], {
      title: 'Throughput over time',
      xLabel: 'second of the run (requests by intended send time)',
      yLabel: 'answered per second',
    }),
  );
  charts.push(
    lineChart(
      [
        { label: 'non-2xx', points: sec((p) => p.non2xx), color: ORANGE },
        { label: 'connection errors', points: sec((p) => p.errors), color: RED },
        { label: 'timeouts', points: sec((p) => p.timeouts), color: GREY },
      ],
      { title: 'Errors over time', xLabel: 'second of the run (requests by intended send time)', yLabel: 'per second' },
    ),
  );
  const palette = [BLUE, RED, GREEN, ORANGE, GREY];
  charts.push(
    lineChart(
      [
        { label: 'all requests', points: distribution(s.latency), color: '#222' },
        ...(s.byEntry.length > 1 ? s.byEntry.filter((e) => e.latency.count > 0).map((e, i): Series => ({ label: e.name, points: distribution(e.latency), color: palette[i % palette.length]! })) : []),
      ],
      { title: 'Latency by percentile (10 = p90, 100 = p99, 10k = p99.99)', xLabel: '1 / (1 − percentile)', yLabel: 'ms', logX: true, logY: true },
    ),
  );
  let knee = '';
  if (r.knee) {
    const pts = [...r.knee.points].sort((a, b) => a.rate - b.rate);
    const bound = r.objectives[0];
    knee = `<h2>Knee</h2><p>${esc(summaryLines(r).at(-1)!)}</p><div class="grid">
${lineChart(
  [
    { label: 'p50', points: pts.map((p) => [p.rate, p.step.latency.quantile(0.5) / 1000]), color: BLUE },
    { label: 'p99', points: pts.map((p) => [p.rate, p.step.latency.quantile(0.99) / 1000]), color: RED },
    ...(bound
      ? [
          {
            label: `objective ${bound.label} < ${bound.boundUs / 1000} ms`,
            points: [
              [pts[0]!.rate, bound.boundUs / 1000],
              [pts.at(-1)!.rate, bound.boundUs / 1000],
            ] as Array<[number, number]>,
            color: GREY,
          },
        ]
      : []),
  ],
  { title: 'Latency against the rate asked', xLabel: 'requests per second asked', yLabel: 'ms', logY: true },
)}
${lineChart(
  [
    { label: 'answered', points: pts.map((p) => [p.rate, p.step.achievedRps]), color: GREEN },
    { label: 'asked', points: pts.map((p) => [p.rate, p.rate]), color: GREY },
  ],
  { title: 'Answers per second against the rate asked', xLabel: 'requests per second asked', yLabel: 'answers per second' },
)}
</div>${table(KNEE_HEADER, kneeRows(r.knee))}`;
  }
  const server = r.server ? `<h2>The target's own view (/metrics)</h2>${table(SERVER_HEADER, serverRows(r.server))}` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Load test: ${esc(r.scenario.name)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1180px;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:right}
td:first-child,th:first-child{text-align:left}td{font-variant-numeric:tabular-nums}.grid{display:flex;flex-wrap:wrap;gap:1.5rem}
ul.summary{color:#444;padding-left:1.2rem}code{font-size:12px}
</style></head><body>
<h1>Load test: ${esc(r.scenario.name)}</h1>
<p>${esc(r.scenario.description)}</p>
<p><code>${esc(r.command)}</code><br>${esc(r.date)} · ${esc(r.hardware)}</p>
${table(HEADER, rows(s))}
<ul class="summary">${summaryLines(r)
    .map((l) => `<li>${esc(l)}</li>`)
    .join('')}</ul>
<div class="grid">
${charts.join('\n')}
</div>
${server}
${knee}
</body></html>
`;
}
