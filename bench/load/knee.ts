// Owns the knee search (--find-knee --slo p99<10ms): load steps at constant rates — from the
// start rate, each step `growth` times the last — until one misses the objective (or, when the
// first step misses it, each step `growth` times lower until one meets it), then bisection
// between the highest rate that met it and the lowest that did not, for a few steps more.
// The knee is the highest rate whose whole step met the objective. Bounded: at most `maxSteps`
// steps, never above `maxRate`, with a pause between steps so one step's backlog does not spill
// into the next.

import { judgeStep, type Judgement, type Objective } from './slo.js';
import type { StepResult } from './run.js';

export interface KneeOptions {
  startRate: number;
  maxRate: number;
  growth: number;
  /** Bisection steps after the first miss. */
  refine: number;
  maxSteps: number;
  pauseMs: number;
  objectives: Objective[];
  step(rate: number): Promise<StepResult>;
  log(line: string): void;
}

export interface KneePoint {
  rate: number;
  step: StepResult;
  judgement: Judgement;
}

export interface KneeResult {
  /** Highest rate that met the objective, or null when even the first step missed it. */
  knee: number | null;
  /** Every step, in the order run. */
  points: KneePoint[];
  /** Why the search stopped. */
  stoppedBy: string;
}

export async function findKnee(o: KneeOptions): Promise<KneeResult> {
  const points: KneePoint[] = [];
  let good: number | null = null;
  let bad: number | null = null;
  const run = async (rate: number): Promise<boolean> => {
    if (points.length > 0) await new Promise((r) => setTimeout(r, o.pauseMs));
    const step = await o.step(rate);
    const judgement = judgeStep(step, o.objectives);
    points.push({ rate, step, judgement });
    o.log(`knee: ${Math.round(rate).toLocaleString('en-US')} req/s → ${judgement.pass ? 'meets the objective' : `misses it: ${judgement.reasons.join('; ')}`}`);
    return judgement.pass;
  };
  // ramp: up by `growth` while the objective holds; when the first step already misses it, down
  // by `growth` until one meets it; then bisect between the highest pass and the lowest miss
  let rate = o.startRate;
  let stoppedBy = '';
  const firstPass = await run(rate);
  if (firstPass) good = rate;
  else bad = rate;
  while (points.length < o.maxSteps) {
    if (firstPass) {
      if (bad !== null) break;
      if (rate >= o.maxRate) {
        stoppedBy = `reached --knee-max ${o.maxRate} req/s while still meeting the objective`;
        break;
      }
      rate = Math.min(o.maxRate, rate * o.growth);
      if (await run(rate)) good = rate;
      else bad = rate;
    } else {
      if (good !== null) break;
      rate = rate / o.growth;
      if (rate < 1) {
        stoppedBy = 'even 1 req/s missed the objective';
        break;
      }
      if (await run(rate)) good = rate;
      else bad = rate;
    }
  }
  if (good !== null && bad !== null) {
    let lo = good;
    let hi = bad;
    let left = o.refine;
    while (left-- > 0 && points.length < o.maxSteps && hi - lo > Math.max(1, 0.02 * hi)) {
      const mid = Math.round((lo + hi) / 2);
      if (await run(mid)) lo = good = mid;
      else hi = mid;
    }
    stoppedBy = `bisected between ${Math.round(lo).toLocaleString('en-US')} (met) and ${Math.round(hi).toLocaleString('en-US')} req/s (missed)`;
  } else if (!stoppedBy) stoppedBy = `ran the most steps allowed (--knee-steps ${o.maxSteps}) without ${good === null ? 'meeting' : 'missing'} the objective`;
  return { knee: good, points, stoppedBy };
}
