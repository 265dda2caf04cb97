// Owns the knee search (--find-knee --slo p99<10ms): load steps at rising constant rates — from
// the start rate, each step `growth` times the last — until one misses the objective, then
// bisection between the last rate that met it and the first that did not, for a few steps more.
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
  let rate = o.startRate;
  let stoppedBy = '';
  while (points.length < o.maxSteps) {
    if (await run(rate)) good = rate;
    else {
      bad = rate;
      break;
    }
    if (rate >= o.maxRate) {
      stoppedBy = `reached --knee-max ${o.maxRate} req/s while still meeting the objective`;
      break;
    }
    rate = Math.min(o.maxRate, rate * o.growth);
  }
  if (bad !== null) {
    let left = o.refine;
    const lo0 = good ?? 0;
    let lo = lo0;
    let hi = bad;
    while (left-- > 0 && points.length < o.maxSteps && hi - lo > Math.max(1, 0.02 * hi) && lo0 > 0) {
      const mid = Math.round((lo + hi) / 2);
      if (await run(mid)) lo = good = mid;
      else hi = mid;
    }
    stoppedBy = good === null ? `the first step (${o.startRate} req/s) already missed the objective: lower --knee-start` : `bisected between ${Math.round(lo)} and ${Math.round(hi)} req/s`;
  } else if (!stoppedBy) stoppedBy = `ran the most steps allowed (${o.maxSteps})`;
  return { knee: good, points, stoppedBy };
}
