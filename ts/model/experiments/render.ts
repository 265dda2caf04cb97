// Owns how an experiment report reads: plain text for the terminal and a self-contained HTML page
// (no scripts, no external assets) with the per-variant table, the differences against the
// control, the attribution counts, and the cumulative click-through rate and impressions of each
// variant over time (../report/svg.ts's line charts).

import { formatP } from '../../eval/ab-test.js';
import { escapeHtml as esc, lineChart } from '../report/svg.js';
import type { ExperimentReport } from './report.js';

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

const STATS =
  'Click-through rate = impressions with a click (the experiment’s click types) / impressions; 95 % intervals and the two-sided z-test use delta-method standard errors clustered by user, the unit of randomisation. Fixed horizon: read the test once every variant has the planned sample.';

export function reportText(r: ExperimentReport): string {
  const lines = [
    `experiment ${r.experiment} (${r.state}), ${r.from} → ${r.to}, attribution window ${r.windowMs / 1000} s`,
    `planned sample: ${r.minImpressions} impressions per variant — ${r.readable ? 'reached: the test may be read' : 'NOT reached: do not read the test yet'}`,
    `attribution: ${r.attribution.attributed} events joined, ${r.attribution.unknown} with an unknown recommendationId, ${r.attribution.expired} outside the window (not attributed)`,
    '',
    `${'variant'.padEnd(14)} ${'version'.padEnd(26)} ${'users'.padStart(7)} ${'impr.'.padStart(8)}  ${'CTR (95 % CI)'.padEnd(30)}  ${'conversion (95 % CI)'.padEnd(30)}`,
  ];
  for (const v of r.variants) {
    lines.push(
      `${v.name.padEnd(14)} ${v.version.padEnd(26)} ${String(v.users).padStart(7)} ${String(v.impressions).padStart(8)}  ${`${pct(v.ctr.rate)} (${pct(v.ctr.low)}–${pct(v.ctr.high)})`.padEnd(30)}  ${`${pct(v.conversion.rate)} (${pct(v.conversion.low)}–${pct(v.conversion.high)})`.padEnd(30)}`,
    );
  }
  lines.push('');
  for (const v of r.variants.slice(1)) {
    const c = v.vsControl!.ctr;
    const k = v.vsControl!.conversion;
    lines.push(
      `${v.name} − ${r.variants[0]!.name}: CTR ${c.difference >= 0 ? '+' : ''}${pct(c.difference)} (${pct(c.low)} to ${pct(c.high)}), p ${formatP(c.pValue)}${c.significant ? ' significant' : ''}; conversion ${k.difference >= 0 ? '+' : ''}${pct(k.difference)}, p ${formatP(k.pValue)}${k.significant ? ' significant' : ''}`,
    );
  }
  lines.push('', STATS);
  return lines.join('\n');
}

export function reportHtml(r: ExperimentReport): string {
  const t0 = Date.parse(r.from);
  const hours = (at: string) => (Date.parse(at) - t0) / 3_600_000;
  const series = (f: (p: ExperimentReport['curve'][number], i: number) => number) =>
    r.variants.map((v, i) => ({ label: v.name, color: COLORS[i % COLORS.length]!, points: r.curve.map((p) => [hours(p.at), f(p, i)] as [number, number]) }));
  const rows = r.variants
    .map((v, i) => {
      const d = v.vsControl?.ctr;
      return `<tr><td>${esc(v.name)}${i === 0 ? ' (control)' : ''}</td><td>${esc(v.version)}</td><td>${(v.share * 100).toFixed(1)} %</td><td>${v.users}</td><td>${v.impressions}</td><td>${pct(v.ctr.rate)} (${pct(v.ctr.low)}–${pct(v.ctr.high)})</td><td>${pct(v.conversion.rate)} (${pct(v.conversion.low)}–${pct(v.conversion.high)})</td><td>${d ? `${d.difference >= 0 ? '+' : ''}${pct(d.difference)} (${pct(d.low)} to ${pct(d.high)}), p ${formatP(d.pValue)}${d.significant ? ' <b>significant</b>' : ''}` : '—'}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Experiment ${esc(r.experiment)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.charts{display:flex;flex-wrap:wrap;gap:16px}</style>
</head><body>
<h1>Experiment ${esc(r.experiment)} <small>(${esc(r.state)})</small></h1>
<p>${esc(r.from)} → ${esc(r.to)}; attribution window ${r.windowMs / 1000} s. Planned sample ${r.minImpressions} impressions per variant: <b>${r.readable ? 'reached — the test may be read' : 'not reached — do not read the test yet'}</b>.</p>
<p>Attribution: ${r.attribution.attributed} events joined to their impressions; ${r.attribution.unknown} named an unknown recommendationId and ${r.attribution.expired} fell outside the window (counted, not attributed).</p>
<table><thead><tr><th>variant</th><th>version</th><th>share</th><th>users</th><th>impressions</th><th>CTR (95 % CI)</th><th>conversion (95 % CI)</th><th>CTR − control</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p>${esc(STATS)}</p>
<div class="charts">
${lineChart(
  series((p, i) => p.ctr[i]!),
  { title: 'Cumulative click-through rate', xLabel: 'hours since the start', yLabel: 'CTR', percentY: true, zeroY: true },
)}
${lineChart(
  series((p, i) => p.impressions[i]!),
  { title: 'Cumulative impressions', xLabel: 'hours since the start', yLabel: 'impressions', zeroY: true },
)}
</div>
</body></html>
`;
}
