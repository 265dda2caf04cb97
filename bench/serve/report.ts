// Owns judging and printing the serving benchmark: the reference architecture's figures
// (median ≤ 60 ms at ≥ 180 requests/s) and the project's targets (≥ 90 % of the bare endpoint's
// requests/s in the same run with the same tool, p99 ≤ 10 ms, zero errors), as text and Markdown
// tables and as the JSON written beside them.

import type { LoadResult } from './load.js';

export const REFERENCE = { p50Ms: 60, rps: 180 };
export const PROJECT = { ratio: 0.9, p99Ms: 10, errors: 0 };

export interface Verdict {
  model: string;
  tool: LoadResult['tool'];
  ratio: number;
  reference: boolean;
  project: boolean;
  failures: string[];
}

export function judge(model: string, api: LoadResult, bare: LoadResult | undefined): Verdict {
  const failures: string[] = [];
  const reference = api.p50 <= REFERENCE.p50Ms && api.rps >= REFERENCE.rps;
  if (!reference) failures.push(`reference: p50 ${fmt(api.p50)} ms (≤ ${REFERENCE.p50Ms}), ${Math.round(api.rps)} req/s (≥ ${REFERENCE.rps})`);
  const ratio = bare ? api.rps / bare.rps : NaN;
  if (!(ratio >= PROJECT.ratio)) failures.push(`ratio ${fmt(ratio, 3)} < ${PROJECT.ratio}`);
  if (!(api.p99 <= PROJECT.p99Ms)) failures.push(`p99 ${fmt(api.p99)} ms > ${PROJECT.p99Ms} ms`);
  const errors = api.errors + api.non2xx;
  if (errors > PROJECT.errors) failures.push(`${api.errors} errors, ${api.non2xx} non-2xx`);
  return { model, tool: api.tool, ratio, reference, project: failures.every((f) => f.startsWith('reference')), failures };
}

export const HEADER = ['model', 'tool', 'endpoint', 'req/s', 'p50 ms', 'p90 ms', 'p97.5 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx', 'bytes/resp'];

export function rows(model: string, results: LoadResult[]): string[][] {
  return results.map((r) => [
    model,
    r.tool,
    r.target === 'api' ? 'API (embedded store)' : 'bare uWS',
    Math.round(r.rps).toLocaleString('en-US'),
    fmt(r.p50),
    fmt(r.p90),
    fmt(r.p97_5),
    fmt(r.p99),
    fmt(r.max),
    String(r.errors),
    String(r.non2xx),
    String(Math.round(r.bytesPerResponse)),
  ]);
}

export function verdictLine(v: Verdict): string {
  const project = v.failures.filter((f) => !f.startsWith('reference'));
  return (
    `${v.model} / ${v.tool}: API/bare ratio ${fmt(v.ratio, 3)}; ` +
    `reference targets (p50 ≤ ${REFERENCE.p50Ms} ms, ≥ ${REFERENCE.rps} req/s) ${v.reference ? 'PASS' : 'FAIL'}; ` +
    `project targets (≥ ${PROJECT.ratio * 100} % of bare, p99 ≤ ${PROJECT.p99Ms} ms, zero errors) ${v.project ? 'PASS' : `FAIL (${project.join('; ')})`}`
  );
}

export function fmt(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return '—';
  return v >= 100 ? v.toFixed(0) : v.toFixed(digits);
}
