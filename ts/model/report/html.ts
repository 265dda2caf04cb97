// Owns the self-contained HTML training report: loss per iteration, metrics beside the
// popularity baseline, the item popularity long tail, and example recommendations with titles.

import { escapeHtml as esc, lineChart } from './svg.js';

export interface ReportInput {
  title: string;
  version: string;
  createdAt: string;
  params: Record<string, unknown>;
  data: Record<string, unknown>;
  iterations: Array<{ iteration: number; loss: number | null; seconds: number }>;
  metrics: Record<string, number>;
  baseline: Record<string, number>;
  timings: Record<string, number>;
  /** Interaction counts per item, in any order. */
  itemCounts: ArrayLike<number>;
  examples: Array<{ user: string; history: string[]; recommendations: Array<{ item: string; score: number }> }>;
}

export function renderReport(r: ReportInput): string {
  const loss = r.iterations.filter((i) => i.loss !== null).map((i) => [i.iteration, i.loss!] as [number, number]);
  const counts = Array.from(r.itemCounts).filter((c) => c > 0).sort((a, b) => b - a);
  const tail = counts.map((c, i) => [i + 1, c] as [number, number]);
  const keys = Array.from(new Set([...Object.keys(r.metrics), ...Object.keys(r.baseline)]));
  const rows = keys
    .map((k) => {
      const m = r.metrics[k];
      const b = r.baseline[k];
      return `<tr><td>${esc(k)}</td><td>${fmt(m)}</td><td>${fmt(b)}</td></tr>`;
    })
    .join('');
  const kv = (o: Record<string, unknown>) =>
    Object.entries(o)
      .filter(([, v]) => v !== undefined && typeof v !== 'object')
      .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(String(v))}</td></tr>`)
      .join('');
  const examples = r.examples
    .map(
      (e) => `<section class="ex"><h3>User ${esc(e.user)}</h3>
<p class="hist"><b>Recently rated:</b> ${e.history.map(esc).join(' · ') || '—'}</p>
<ol>${e.recommendations.map((x) => `<li>${esc(x.item)} <span class="score">${x.score.toFixed(3)}</span></li>`).join('')}</ol></section>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ddd;padding:.25rem .75rem;text-align:left}
td:nth-child(n+2){font-variant-numeric:tabular-nums}.grid{display:flex;flex-wrap:wrap;gap:1.5rem}
.ex{display:inline-block;vertical-align:top;width:340px;margin-right:1rem}.score{color:#888;font-size:12px}.hist{color:#555}
</style></head><body>
<h1>${esc(r.title)}</h1>
<p>Model <b>${esc(r.version)}</b>, trained ${esc(r.createdAt)}.</p>
<h2>Metrics</h2>
<table><tr><th>metric</th><th>model</th><th>popularity baseline</th></tr>${rows}</table>
<div class="grid">
${lineChart([{ label: 'training loss', points: loss, color: '#1f6feb' }], { title: 'Training loss per iteration', xLabel: 'iteration', yLabel: 'loss', logY: true })}
${lineChart([{ label: 'interactions per item', points: tail, color: '#d1242f' }], { title: 'Item popularity (long tail)', xLabel: 'item rank', yLabel: 'interactions', logX: true, logY: true })}
</div>
<h2>Example recommendations</h2>
${examples || '<p>No examples.</p>'}
<h2>Parameters</h2><table>${kv(r.params)}</table>
<h2>Data</h2><table>${kv(r.data)}</table>
<h2>Timings (seconds)</h2><table>${kv(r.timings)}</table>
</body></html>
`;
}

function fmt(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4);
}
