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
  if (!(api.p99 <= PROJECT.p99Ms)) failures.push(`p99 ${fmt(api.p99)} ms > ${PROJECT.p99Ms} ms${bare && !(bare.p99 <= PROJECT.p99Ms) ? generatorBound(bare) : ''}`);
  const errors = api.errors + api.non2xx;
  if (errors > PROJECT.errors) failures.push(`${api.errors} errors, ${api.non2xx} non-2xx`);
  return { model, tool: api.tool, ratio, reference, project: failures.every((f) => f.startsWith('reference')), failures };
}

/**
 * Why a p99 the bare endpoint misses too says more about the load generator than the server: with
 * a fixed number of connections each waiting for its answer, the mean latency is connections ÷
 * requests/s (Little's law), so a generator that tops out at R req/s cannot see less than that.
 */
function generatorBound(bare: LoadResult): string {
  const meanMs = (1000 * bare.connections) / bare.rps;
  return ` (the bare endpoint's p99 is ${fmt(bare.p99)} ms too: at ${Math.round(bare.rps).toLocaleString('en-US')} req/s, ${bare.connections} connections wait ${fmt(meanMs)} ms on average (Little's law), the load generator's ceiling, not the server's)`;
}

export const HEADER = ['model', 'tool', 'endpoint', 'req/s', 'p50 ms', 'p90 ms', 'p97.5 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx', 'bytes/resp', 'CPU µs/req'];

export function rows(model: string, results: LoadResult[], labels: Record<string, string> = {}): string[][] {
  return results.map((r) => [
    model,
    r.tool,
    labels[r.target] ?? (r.target === 'api' ? 'API (embedded store)' : r.target === 'bare' ? 'bare uWS' : r.target),
    Math.round(r.rps).toLocaleString('en-US'),
    fmt(r.p50),
    fmt(r.p90),
    fmt(r.p97_5),
    fmt(r.p99),
    fmt(r.max),
    String(r.errors),
    String(r.non2xx),
    String(Math.round(r.bytesPerResponse)),
    Number.isFinite(r.cpuUsPerRequest) ? r.cpuUsPerRequest.toFixed(1) : '–',
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

/** Targets of the remote stores: Redis (cache off) against bare uWS + ioredis, the warm cache against the embedded store. */
export const STORE_TARGET_RATIO = { redis: 0.9, redisCached: 0.9 };

export interface StoreVerdict {
  model: string;
  tool: LoadResult['tool'];
  target: string;
  /** What the ratio compares against ('bare-redis' or 'api'). */
  baseline: string;
  ratio: number;
  /** Undefined when the row has no target (cosmos: informational). */
  pass?: boolean;
  failures: string[];
}

/**
 * Verdicts of the store rows of one tool. `storeErrors` are the lookups each API answered from the
 * fallback during the tool's measured rounds because its store failed or timed out (they would
 * flatter the figure, so they fail it).
 */
export function judgeStores(model: string, results: LoadResult[], storeErrors: Record<string, number>): StoreVerdict[] {
  const find = (t: string) => results.find((r) => r.target === t);
  const out: StoreVerdict[] = [];
  const one = (target: string, baseline: string, min: number | undefined) => {
    const r = find(target);
    const b = find(baseline);
    if (!r) return;
    const ratio = b ? r.rps / b.rps : NaN;
    const failures: string[] = [];
    if (min !== undefined && !(ratio >= min)) failures.push(`ratio ${fmt(ratio, 3)} < ${min}`);
    if (r.errors + r.non2xx > 0) failures.push(`${r.errors} errors, ${r.non2xx} non-2xx`);
    if ((storeErrors[target] ?? 0) > 0) failures.push(`${storeErrors[target]} store errors (timeouts, failures) answered from the fallback during the measured rounds`);
    out.push({ model, tool: r.tool, target, baseline, ratio, ...(min !== undefined && { pass: failures.length === 0 }), failures });
  };
  one('redis', 'bare-redis', STORE_TARGET_RATIO.redis);
  one('redis-cached', 'api', STORE_TARGET_RATIO.redisCached);
  one('cosmos', 'api', undefined);
  return out;
}

export function storeVerdictLine(v: StoreVerdict, labels: Record<string, string>): string {
  const base = `${v.model} / ${v.tool}: ${labels[v.target] ?? v.target} / ${labels[v.baseline] ?? v.baseline} = ${fmt(v.ratio, 3)}`;
  if (v.pass === undefined) return `${base} (no target: a test double${v.failures.length ? `; ${v.failures.join('; ')}` : ''})`;
  const goal = v.target === 'redis' ? `≥ ${STORE_TARGET_RATIO.redis * 100} % of bare uWS + ioredis` : `close to the embedded store (≥ ${STORE_TARGET_RATIO.redisCached * 100} %)`;
  return `${base}; target ${goal}, zero errors, no store errors: ${v.pass ? 'PASS' : `FAIL (${v.failures.join('; ')})`}`;
}
