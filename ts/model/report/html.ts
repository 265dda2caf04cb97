// Owns the self-contained HTML training report: the evaluation protocol, metrics beside the
// popularity baseline with their meaning and direction, the loss of both fits on a relative log
// axis, the held-out metric per iteration, what the model recommends against the data's long
// tail, metrics by segment (users by history length, items by popularity decile), and examples.

import { metricMeaning } from './meanings.js';
import { barChart, escapeHtml as esc, lineChart, type Series } from './svg.js';

type Iteration = { iteration: number; loss: number | null; seconds: number };

export interface UserSegmentRow {
  label: string;
  users: number;
  ndcg: number;
  recall: number;
}
export interface ItemDecileRow {
  decile: number;
  items: number;
  testShare: number;
  recommendationShare: number;
  recall: number;
}

export interface ReportInput {
  title: string;
  version: string;
  createdAt: string;
  params: Record<string, unknown>;
  data: Record<string, unknown>;
  /** The served model's fit (the refit on all the data, or the evaluation fit with --no-refit). */
  iterations: Iteration[];
  /** The evaluation fit, on the training split, and its held-out metrics per iteration. */
  evaluationFit?: { iterations: Iteration[]; heldOut: { k: number; users: number; rankedUsers: number; points: Array<{ iteration: number; ndcg: number; rmse?: number }> } };
  /** [label, value] rows describing split, ratio, seed, counts, candidates, relevance. */
  protocol?: Array<[string, string]>;
  metrics: Record<string, number>;
  baseline: Record<string, number>;
  timings: Record<string, number>;
  /** Interaction counts per item, in any order. */
  itemCounts: ArrayLike<number>;
  /** Per popularity decile of the data's items: share of interactions, and of the served top-k lists. */
  popularity?: Array<{ decile: number; dataShare: number; recommendationShare: number }>;
  segments?: { users: { model: UserSegmentRow[]; baseline: UserSegmentRow[] }; items: { model: ItemDecileRow[]; baseline: ItemDecileRow[] } } | null;
  examples: Array<{ user: string; history: string[]; recommendations: Array<{ item: string; score: number }> }>;
}

const BLUE = '#1f6feb';
const RED = '#d1242f';
const GREY = '#8c959f';
const GREEN = '#1a7f37';

/** |ΔL| / L per iteration: how much the loss still moves (falls on a log axis as the fit converges). */
function relativeChange(its: Iteration[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let j = 1; j < its.length; j++) {
    const a = its[j - 1]!.loss;
    const b = its[j]!.loss;
    if (a !== null && b !== null && a !== 0) out.push([its[j]!.iteration, Math.abs(b - a) / Math.abs(a)]);
  }
  return out;
}

export function renderReport(r: ReportInput): string {
  const keys = Array.from(new Set([...Object.keys(r.metrics), ...Object.keys(r.baseline)]));
  const rows = keys
    .map((k) => {
      const m = metricMeaning(k);
      const arrow = m ? (m.better === 'higher' ? '↑' : '↓') : '';
      return `<tr><td>${esc(k)}</td><td>${fmt(r.metrics[k])}</td><td>${fmt(r.baseline[k])}</td><td class="dir" title="${m ? `${m.better} is better` : ''}">${arrow}</td><td class="means">${esc(m?.meaning ?? '')}</td></tr>`;
    })
    .join('');
  const kv = (o: Record<string, unknown>) =>
    Object.entries(o)
      .filter(([, v]) => v !== undefined && typeof v !== 'object')
      .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(String(v))}</td></tr>`)
      .join('');
  const counts = Array.from(r.itemCounts)
    .filter((c) => c > 0)
    .sort((a, b) => b - a);
  const lossSeries: Series[] = [];
  if (r.evaluationFit) lossSeries.push({ label: 'evaluation fit (training split)', points: relativeChange(r.evaluationFit.iterations), color: BLUE });
  lossSeries.push({ label: r.evaluationFit ? 'served model (refit)' : 'served model', points: relativeChange(r.iterations), color: RED });
  const charts: string[] = [lineChart(lossSeries, { title: 'Training loss: relative change per iteration', xLabel: 'iteration', yLabel: '|Δ loss| / loss (log scale)', logY: true })];
  const ho = r.evaluationFit?.heldOut;
  if (ho && ho.points.length > 0) {
    const base = r.baseline[`ndcg@${ho.k}`];
    const first = ho.points[0]!.iteration;
    const last = ho.points.at(-1)!.iteration;
    const s: Series[] = [{ label: `model, NDCG@${ho.k}`, points: ho.points.map((p) => [p.iteration, p.ndcg]), color: BLUE }];
    if (base !== undefined)
      s.push({
        label: 'popularity baseline',
        points: [
          [first, base],
          [last, base],
        ],
        color: GREY,
        dashed: true,
      });
    const sample = ho.users < ho.rankedUsers ? ` (${ho.users} of ${ho.rankedUsers} test users)` : '';
    charts.push(lineChart(s, { title: `Held-out NDCG@${ho.k} per iteration${sample}`, xLabel: 'iteration', yLabel: `NDCG@${ho.k} on the test split`, zeroY: true }));
    const rm = ho.points.filter((p) => p.rmse !== undefined);
    if (rm.length > 0)
      charts.push(
        lineChart([{ label: 'model, RMSE', points: rm.map((p) => [p.iteration, p.rmse!]), color: RED }], {
          title: 'Held-out RMSE per iteration',
          xLabel: 'iteration',
          yLabel: 'RMSE on the test split (lower is better)',
        }),
      );
  } else if (ho) {
    charts.push('<p class="note">Held-out metrics per iteration: not available (the WASM engine reports no factors per iteration; the native engine does).</p>');
  }
  if (r.popularity && r.popularity.length > 0) {
    charts.push(
      barChart(
        r.popularity.map((d) => `D${d.decile}`),
        [
          { label: 'share of interactions (data)', color: GREY, values: r.popularity.map((d) => d.dataShare) },
          { label: 'share of recommendations (model)', color: BLUE, values: r.popularity.map((d) => d.recommendationShare) },
        ],
        { title: 'What is recommended vs what is popular', xLabel: 'item popularity decile (D1 = most popular tenth of the items)', yLabel: 'share', percentY: true },
      ),
    );
  }
  charts.push(
    lineChart([{ label: 'interactions per item', points: counts.map((c, i) => [i + 1, c]), color: GREEN }], {
      title: 'Item popularity (long tail)',
      xLabel: 'item rank (log scale)',
      yLabel: 'interactions (log scale)',
      logX: true,
      logY: true,
    }),
  );
  const seg = r.segments;
  const segUsers =
    seg && seg.users.model.length > 0
      ? `<h2>Metrics by segment</h2>
<p class="note">Users by the number of their training interactions (cold users first); NDCG@k and recall@k of their test interactions.</p>
${barChart(
  seg.users.model.map((s) => s.label),
  [
    { label: 'model', color: BLUE, values: seg.users.model.map((s) => s.ndcg) },
    { label: 'popularity baseline', color: GREY, values: seg.users.model.map((s) => seg.users.baseline.find((b) => b.label === s.label)?.ndcg ?? NaN) },
  ],
  { title: 'NDCG@k by user history length', xLabel: 'training interactions of the user', yLabel: 'NDCG@k' },
)}
<table><tr><th>history</th><th>users</th><th>NDCG@k model</th><th>baseline</th><th>recall@k model</th><th>baseline</th></tr>${seg.users.model
          .map((s) => {
            const b = seg.users.baseline.find((x) => x.label === s.label);
            return `<tr><td>${esc(s.label)}</td><td>${s.users}</td><td>${fmt(s.ndcg)}</td><td>${fmt(b?.ndcg)}</td><td>${fmt(s.recall)}</td><td>${fmt(b?.recall)}</td></tr>`;
          })
          .join('')}</table>
<p class="note">Items by popularity decile in the training split (D1 = the most popular tenth): where the test interactions are, where each model's recommendations go, and the recall of the test interactions on those items.</p>
<table><tr><th>decile</th><th>items</th><th>test interactions</th><th>model's recommendations</th><th>baseline's</th><th>recall model</th><th>baseline</th></tr>${seg.items.model
          .map((d) => {
            const b = seg.items.baseline.find((x) => x.decile === d.decile);
            return `<tr><td>D${d.decile}</td><td>${d.items}</td><td>${pct(d.testShare)}</td><td>${pct(d.recommendationShare)}</td><td>${pct(b?.recommendationShare)}</td><td>${fmt(d.recall)}</td><td>${fmt(b?.recall)}</td></tr>`;
          })
          .join('')}</table>`
      : '';
  const protocol = r.protocol ? `<h2>Evaluation protocol</h2><table class="kv">${r.protocol.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>` : '';
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
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1120px;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ddd;padding:.25rem .75rem;text-align:left}
td:nth-child(n+2){font-variant-numeric:tabular-nums}.grid{display:flex;flex-wrap:wrap;gap:1.5rem}
.means,.note{color:#555}.dir{text-align:center;color:${GREEN};font-weight:700}.kv td:first-child{color:#555}
.ex{display:inline-block;vertical-align:top;width:340px;margin-right:1rem}.score{color:#888;font-size:12px}.hist{color:#555}
</style></head><body>
<h1>${esc(r.title)}</h1>
<p>Model <b>${esc(r.version)}</b>, trained ${esc(r.createdAt)}.</p>
<h2>Metrics</h2>
<table><tr><th>metric</th><th>model</th><th>popularity baseline</th><th></th><th>what it measures (↑ higher is better, ↓ lower)</th></tr>${rows}</table>
${protocol}
<div class="grid">
${charts.join('\n')}
</div>
${segUsers}
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

function pct(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? '—' : `${(v * 100).toFixed(1)}%`;
}
