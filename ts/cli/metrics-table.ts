// Owns printing model metrics, beside the popularity baseline when there is one, as an aligned table.

export function metricsTable(model: Record<string, number>, baseline: Record<string, number> | null): string {
  const names = Array.from(new Set([...Object.keys(model), ...Object.keys(baseline ?? {})]));
  const w = Math.max(6, ...names.map((n) => n.length));
  const f = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(4)).padStart(10);
  const head = [`${'metric'.padEnd(w)}  ${'model'.padStart(10)}`, `${'-'.repeat(w)}  ${'-'.repeat(10)}`];
  if (baseline) {
    head[0] += `  ${'popularity'.padStart(10)}`;
    head[1] += `  ${'-'.repeat(10)}`;
  }
  return [...head, ...names.map((n) => `${n.padEnd(w)}  ${f(model[n])}${baseline ? `  ${f(baseline[n])}` : ''}`)].join('\n');
}
