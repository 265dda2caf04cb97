// Owns the small inline-SVG charts of the training report: line charts and grouped bar charts
// with "nice" ticks (1, 2, 5 × 10^n on linear axes, powers of ten on log axes), a legend and a
// <title> per point for hover. No scripts, no external assets: the report opens offline.

export interface Series {
  label: string;
  points: Array<[number, number]>;
  color: string;
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  /** Start a linear y axis at zero (default false: fit the data). */
  zeroY?: boolean;
  /** Format y tick labels as percentages. */
  percentY?: boolean;
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const M = { l: 64, r: 16, t: 40, b: 44 };

/** Ticks at 1, 2 or 5 × 10^n covering [lo, hi], and the axis bounds they round the range out to. */
export function niceTicks(lo: number, hi: number, target = 5): { ticks: number[]; lo: number; hi: number } {
  if (!(hi > lo)) [lo, hi] = [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const a = Math.floor(lo / step + 1e-9) * step;
  const b = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = a; t <= b + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { ticks, lo: a, hi: b };
}

/** Log-axis ticks (values, not logs) for a range given in log10: powers of ten, or 1-2-5 steps within one decade. */
export function logTicks(lo: number, hi: number): { ticks: number[]; lo: number; hi: number } {
  const a = Math.floor(lo + 1e-9);
  const b = Math.ceil(hi - 1e-9);
  const decades = Math.max(1, b - a);
  const every = Math.ceil(decades / 6);
  const ticks: number[] = [];
  for (let e = a; e <= b; e += every) ticks.push(10 ** e);
  if (b - a <= 2) for (let e = a; e < b; e++) for (const m of [2, 5]) ticks.push(m * 10 ** e);
  return { ticks: ticks.sort((x, y) => x - y), lo: a, hi: Math.max(b, a + 1) };
}

export function tickLabel(v: number, percent = false): string {
  if (percent) return `${Number((v * 100).toPrecision(3))}%`;
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (a < 1e-3 && v !== 0) return v.toExponential(0).replace('e', 'e');
  return Number(v.toPrecision(3)).toString();
}

function frame(W: number, H: number, title: string, xLabel: string, yLabel: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`,
    `<text x="${M.l}" y="16" font-size="13" font-weight="600">${esc(title)}</text>`,
    `<line x1="${M.l}" y1="${H - M.b}" x2="${W - M.r}" y2="${H - M.b}" stroke="#888"/>`,
    `<line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${H - M.b}" stroke="#888"/>`,
    `<text x="${(M.l + W - M.r) / 2}" y="${H - 8}" text-anchor="middle" font-size="11">${esc(xLabel)}</text>`,
    `<text x="14" y="${(M.t + H - M.b) / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 14 ${(M.t + H - M.b) / 2})">${esc(yLabel)}</text>`,
  ];
}

function legend(parts: string[], items: Array<{ label: string; color: string; dashed?: boolean }>, W: number): void {
  let x = M.l;
  for (const it of items) {
    parts.push(`<line x1="${x}" y1="29" x2="${x + 16}" y2="29" stroke="${it.color}" stroke-width="3"${it.dashed ? ' stroke-dasharray="4 3"' : ''}/>`);
    parts.push(`<text x="${x + 20}" y="32" font-size="11">${esc(it.label)}</text>`);
    x += 28 + it.label.length * 6;
    if (x > W - 60) break;
  }
}

function yAxis(parts: string[], ticks: number[], py: (v: number) => number, W: number, percent: boolean): void {
  for (const t of ticks) {
    const y = py(t).toFixed(1);
    parts.push(`<line x1="${M.l}" y1="${y}" x2="${W - M.r}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${M.l - 4}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="10">${tickLabel(t, percent)}</text>`);
  }
}

export function lineChart(series: Series[], o: ChartOptions): string {
  const W = o.width ?? 520;
  const H = o.height ?? 300;
  const tx = (v: number) => (o.logX ? Math.log10(v) : v);
  const ty = (v: number) => (o.logY ? Math.log10(v) : v);
  const ok = ([x, y]: [number, number]) => Number.isFinite(tx(x)) && Number.isFinite(ty(y));
  const all = series.flatMap((s) => s.points).filter(ok);
  if (all.length === 0) return `<p class="empty">${esc(o.title)}: no data</p>`;
  const xs = all.map(([x]) => tx(x));
  const ys = all.map(([, y]) => ty(y));
  const xr = o.logX ? logTicks(Math.min(...xs), Math.max(...xs)) : niceTicks(Math.min(...xs), Math.max(...xs), 6);
  const yr = o.logY ? logTicks(Math.min(...ys), Math.max(...ys)) : niceTicks(o.zeroY ? Math.min(0, ...ys) : Math.min(...ys), Math.max(...ys), 5);
  const px = (v: number) => M.l + ((tx(v) - xr.lo) / (xr.hi - xr.lo)) * (W - M.l - M.r);
  const py = (v: number) => H - M.b - ((ty(v) - yr.lo) / (yr.hi - yr.lo)) * (H - M.t - M.b);
  const parts = frame(W, H, o.title, o.xLabel, o.yLabel);
  for (const t of xr.ticks) {
    if (o.logX ? Math.log10(t) < xr.lo - 1e-9 || Math.log10(t) > xr.hi + 1e-9 : false) continue;
    parts.push(`<text x="${px(t).toFixed(1)}" y="${H - M.b + 14}" text-anchor="middle" font-size="10">${tickLabel(t)}</text>`);
  }
  yAxis(parts, yr.ticks, py, W, o.percentY ?? false);
  for (const s of series) {
    const pts = s.points.filter(ok);
    const d = pts.map(([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    if (pts.length <= 60 && !s.dashed) {
      for (const [x, y] of pts)
        parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${s.color}"><title>${esc(`${s.label}: ${tickLabel(x)} → ${Number(y.toPrecision(4))}`)}</title></circle>`);
    }
  }
  legend(parts, series, W);
  parts.push('</svg>');
  return parts.join('');
}

export interface BarSeries {
  label: string;
  color: string;
  values: number[];
}

/** Bars grouped by category (one bar per series in each group). */
export function barChart(groups: string[], series: BarSeries[], o: Omit<ChartOptions, 'logX' | 'logY'>): string {
  const W = o.width ?? 520;
  const H = o.height ?? 300;
  const vals = series.flatMap((s) => s.values).filter(Number.isFinite);
  if (vals.length === 0 || groups.length === 0) return `<p class="empty">${esc(o.title)}: no data</p>`;
  const yr = niceTicks(0, Math.max(...vals, 1e-12), 5);
  const py = (v: number) => H - M.b - ((v - yr.lo) / (yr.hi - yr.lo)) * (H - M.t - M.b);
  const parts = frame(W, H, o.title, o.xLabel, o.yLabel);
  yAxis(parts, yr.ticks, py, W, o.percentY ?? false);
  const gw = (W - M.l - M.r) / groups.length;
  const bw = (gw * 0.8) / series.length;
  groups.forEach((g, gi) => {
    const x0 = M.l + gi * gw + gw * 0.1;
    parts.push(`<text x="${(x0 + gw * 0.4).toFixed(1)}" y="${H - M.b + 14}" text-anchor="middle" font-size="10">${esc(g)}</text>`);
    series.forEach((s, si) => {
      const v = s.values[gi]!;
      if (!Number.isFinite(v)) return;
      const y = py(v);
      parts.push(
        `<rect x="${(x0 + si * bw).toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${(H - M.b - y).toFixed(1)}" fill="${s.color}"><title>${esc(`${s.label}, ${g}: ${tickLabel(v, o.percentY)}`)}</title></rect>`,
      );
    });
  });
  legend(parts, series, W);
  parts.push('</svg>');
  return parts.join('');
}

export { esc as escapeHtml };
