// Owns printing model metrics beside the popularity baseline as an aligned table.

export function metricsTable(model: Record<string, number>, baseline: Record<string, number>): string {
  const names = Array.from(new Set([...Object.keys(model), ...Object.keys(baseline)]));
  const w = Math.max(6, ...names.map((n) => n.length));
  const f = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(4)).padStart(10);
  const lines = [`${'metric'.padEnd(w)}  ${'model'.padStart(10)}  ${'popularity'.padStart(10)}`, `${'-'.repeat(w)}  ${'-'.repeat(10)}  ${'-'.repeat(10)}`];
  for (const n of names) lines.push(`${n.padEnd(w)}  ${f(model[n])}  ${f(baseline[n])}`);
  return lines.join('\n');
}
