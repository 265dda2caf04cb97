// Owns latency objectives (--slo "p99<10ms", several joined by commas: "p50<2ms,p99.9<50ms") and
// judging a load step against them: every percentile under its bound, errors and timeouts at most
// 0.1 % of the requests sent, and the achieved rate at least 95 % of the rate asked for.

import type { StepResult } from './run.js';

export interface Objective {
  /** Share, e.g. 0.99. */
  q: number;
  label: string;
  /** Bound, µs. */
  boundUs: number;
}

export const MAX_ERROR_SHARE = 0.001;
export const MIN_ACHIEVED = 0.95;

export function parseSlo(text: string): Objective[] {
  return text.split(',').map((part) => {
    const m = /^\s*p(\d{1,2}(?:\.\d+)?)\s*<\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s)\s*$/.exec(part);
    if (!m) throw new Error(`--slo "${part.trim()}": expected a percentile bound such as p99<10ms (units us, ms, s; several joined by commas)`);
    const p = Number(m[1]);
    if (!(p > 0 && p < 100)) throw new Error(`--slo "${part.trim()}": the percentile must be between 0 and 100`);
    const scale = m[3] === 's' ? 1e6 : m[3] === 'ms' ? 1e3 : 1;
    return { q: p / 100, label: `p${m[1]}`, boundUs: Number(m[2]) * scale };
  });
}

export interface Judgement {
  pass: boolean;
  /** Why it failed, one reason each. */
  reasons: string[];
}

export function judgeStep(step: StepResult, objectives: readonly Objective[]): Judgement {
  const reasons: string[] = [];
  for (const o of objectives) {
    const v = step.latency.quantile(o.q);
    if (!(v < o.boundUs)) reasons.push(`${o.label} ${ms(v)} ms ≥ ${ms(o.boundUs)} ms`);
  }
  const failed = step.counts.errors + step.counts.timeouts + step.unsent;
  if (failed > MAX_ERROR_SHARE * Math.max(1, step.sent + step.unsent)) reasons.push(`${failed} errors, timeouts or unsent requests (> ${MAX_ERROR_SHARE * 100} %)`);
  if (Number.isFinite(step.rate) && step.achievedRps < MIN_ACHIEVED * step.rate) reasons.push(`answered ${Math.round(step.achievedRps)} req/s of ${Math.round(step.rate)} asked`);
  return { pass: reasons.length === 0, reasons };
}

export const ms = (us: number) => (Number.isFinite(us) ? (us / 1000).toFixed(us < 10_000 ? 2 : 1) : '–');
