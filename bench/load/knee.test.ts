import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram.js';
import { findKnee } from './knee.js';
import type { StepResult } from './run.js';
import { judgeStep, parseSlo } from './slo.js';

/** A target with a hard capacity: below it p99 ≈ 2 ms, above it 50 ms and only `capacity` answers/s. */
function target(capacity: number) {
  const asked: number[] = [];
  const step = async (rate: number): Promise<StepResult> => {
    asked.push(rate);
    const latency = new Histogram();
    for (let i = 0; i < 1000; i++) latency.record(rate <= capacity ? 500 + (i % 100) * 20 : 50_000);
    const answered = Math.min(rate, capacity);
    const counts = { ok: Math.round(answered * 10), non2xx: 0, errors: 0, timeouts: 0 };
    return {
      rate,
      durationS: 10,
      sent: Math.round(rate * 10),
      unsent: 0,
      counts,
      achievedRps: answered,
      latency,
      perSecond: [],
      byEntry: [],
      statuses: {},
      errorCodes: {},
      lag: new Histogram(),
      bytesIn: 0,
      peakConnections: 1,
      peakQueue: 0,
      coldConnections: 0,
    };
  };
  return { asked, step };
}

const base = { growth: 1.5, maxRate: 100_000, refine: 3, maxSteps: 16, pauseMs: 0, objectives: parseSlo('p99<10ms'), log: () => {} };

describe('knee search', () => {
  it('ramps up until the objective is missed, then bisects to within a few percent below the capacity', async () => {
    const t = target(1234);
    const r = await findKnee({ ...base, startRate: 500, step: t.step });
    expect(t.asked.slice(0, 4)).toEqual([500, 750, 1125, 1687.5]);
    expect(r.knee).toBeLessThanOrEqual(1234);
    expect(r.knee).toBeGreaterThan(1234 * 0.9);
    expect(r.points).toHaveLength(7);
    // the knee is the highest rate that met it, and every higher rate asked missed it
    for (const p of r.points) expect(p.judgement.pass).toBe(p.rate <= 1234);
    expect(r.stoppedBy).toMatch(/^bisected between/);
  });

  it('steps down when the first rate already misses the objective', async () => {
    const t = target(800);
    const r = await findKnee({ ...base, startRate: 5000, step: t.step });
    expect(t.asked.slice(0, 5).map(Math.round)).toEqual([5000, 3333, 2222, 1481, 988]);
    expect(t.asked[5]).toBeLessThan(988);
    expect(r.knee).toBeLessThanOrEqual(800);
    expect(r.knee).toBeGreaterThan(700);
  });

  it('stops at --knee-max and at the step limit', async () => {
    const r = await findKnee({ ...base, startRate: 500, maxRate: 1000, step: target(1e9).step });
    expect(r.knee).toBe(1000);
    expect(r.stoppedBy).toContain('--knee-max 1000');
    const few = await findKnee({ ...base, startRate: 500, maxSteps: 3, step: target(1e9).step });
    expect(few.points).toHaveLength(3);
    expect(few.stoppedBy).toContain('--knee-steps 3');
  });

  it('judges errors, timeouts and an unanswered rate as misses', async () => {
    const { step } = target(1e9);
    const s = await step(1000);
    const slo = parseSlo('p50<2ms,p99.9<20ms');
    expect(judgeStep(s, slo).pass).toBe(true);
    expect(judgeStep({ ...s, counts: { ...s.counts, timeouts: 11 } }, slo).reasons).toEqual(['11 errors, timeouts or unsent requests (> 0.1 %)']);
    expect(judgeStep({ ...s, achievedRps: 900 }, slo).reasons).toEqual(['answered 900 req/s of 1000 asked']);
    expect(judgeStep(s, parseSlo('p50<0.5ms')).reasons[0]).toMatch(/^p50 [\d.]+ ms ≥ 0\.50 ms$/);
    expect(() => parseSlo('p0<3ms')).toThrow('--slo "p0<3ms": the percentile must be between 0 and 100');
    expect(() => parseSlo('p99<10')).toThrow('--slo "p99<10": expected a percentile bound such as p99<10ms');
  });
});
