// Owns the small inline-SVG charts of the training report: a line chart with axes and ticks.
// No scripts, no external assets: the report opens offline.

export interface Series {
  label: string;
  points: Array<[number, number]>;
  color: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function lineChart(series: Series[], o: ChartOptions): string {
  const W = o.width ?? 560;
  const H = o.height ?? 300;
  const m = { l: 64, r: 16, t: 28, b: 44 };
  const tx = (v: number) => (o.logX ? Math.log10(Math.max(v, 1e-12)) : v);
  const ty = (v: number) => (o.logY ? Math.log10(Math.max(v, 1e-12)) : v);
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(tx(x)) && Number.isFinite(ty(y)));
  if (all.length === 0) return `<p class="empty">${esc(o.title)}: no data</p>`;
  let [x0, x1] = extent(all.map(([x]) => tx(x)));
  let [y0, y1] = extent(all.map(([, y]) => ty(y)));
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - Math.abs(y0) * 0.1 - 1e-9, y1 + Math.abs(y1) * 0.1 + 1e-9];
  const px = (v: number) => m.l + ((tx(v) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (v: number) => H - m.b - ((ty(v) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const ticks = (a: number, b: number, log: boolean | undefined) =>
    Array.from({ length: 5 }, (_, i) => a + ((b - a) * i) / 4).map((t) => (log ? 10 ** t : t));
  const label = (v: number) => {
    const a = Math.abs(v);
    if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
    if (a >= 1e3) return `${Number((v / 1e3).toPrecision(3))}k`;
    if (a < 0.01 && v !== 0) return v.toExponential(1);
    return Number(v.toPrecision(3)).toString();
  };
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}">`);
  parts.push(`<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="600">${esc(o.title)}</text>`);
  parts.push(`<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#888"/>`);
  parts.push(`<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#888"/>`);
  for (const t of ticks(x0, x1, o.logX)) {
    parts.push(`<text x="${px(t).toFixed(1)}" y="${H - m.b + 14}" text-anchor="middle" font-size="10">${label(t)}</text>`);
  }
  for (const t of ticks(y0, y1, o.logY)) {
    const y = py(t).toFixed(1);
    parts.push(`<line x1="${m.l}" y1="${y}" x2="${W - m.r}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 4}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="10">${label(t)}</text>`);
  }
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle" font-size="11">${esc(o.xLabel)}</text>`);
  parts.push(`<text x="14" y="${(m.t + H - m.b) / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 14 ${(m.t + H - m.b) / 2})">${esc(o.yLabel)}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(tx(x)) && Number.isFinite(ty(y)));
    const d = pts.map(([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    if (pts.length <= 60) for (const [x, y] of pts) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    parts.push(`<text x="${W - m.r - 4}" y="${m.t + 12 + i * 14}" text-anchor="end" font-size="11" fill="${s.color}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function extent(v: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

export { esc as escapeHtml };
