// Owns one load generator's run (a worker thread runs one; ./worker.ts): the schedule of intended
// send times and the recording of what came back. Open loop: arrivals at the given rate (times the
// scenario's phase factor) on a fixed schedule that never waits for answers, each request's latency
// measured from its intended send time, so a stalled server or a slow generator shows up in the
// latency instead of silently lowering the load (no coordinated omission: wrk2's method). Virtual
// users: each sends, waits for the answer, thinks (exponential, scenario mean) and sends again.
// The schedule is kept by a timer when the next send is far and by setImmediate when it is near
// (sub-millisecond spacing); how late each request actually left is recorded as the send lag.

import { Rng } from '../../ts/data/random.js';
import { Pool, type Outcome } from './client.js';
import { Histogram, type SerializedHistogram } from './histogram.js';
import { rateFactorAt, type Scenario } from './scenario.js';
import { Traffic, type TrafficIds } from './traffic.js';

export interface GeneratorConfig {
  urls: string[];
  apiKey: string | null;
  insecure: boolean;
  scenario: Scenario;
  ids: TrafficIds;
  /** Open loop: this generator's share of the rate, requests/s (before phase factors). */
  rate: number;
  /** Virtual users: how many this generator runs (arrival model "users"). */
  users: number;
  thinkMs: number;
  durationS: number;
  /** Absolute start (performance.timeOrigin + performance.now() scale, ms), the same for every generator. */
  startAt: number;
  maxConnections: number;
  timeoutMs: number;
  /** Hard cap on requests this generator sends. */
  maxRequests: number;
  runId: string;
  seed: number;
}

/** Requests by outcome: a 2xx answer, another status, a connection error, no answer in time. */
export interface Counts {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** What a generator and a merged step both report beside latencies. */
export interface Tallies {
  statuses: Record<string, number>;
  errorCodes: Record<string, number>;
  bytesIn: number;
  peakConnections: number;
  peakQueue: number;
}

export interface SecondStats extends Counts {
  hist: SerializedHistogram;
}

export interface GeneratorResult extends Tallies {
  sent: number;
  /** Requests the schedule held but the run's end or the request cap stopped. */
  unsent: number;
  perSecond: SecondStats[];
  /** Latency of every completed request (any status), by mix entry. */
  byEntry: SerializedHistogram[];
  entryCounts: Counts[];
  lag: SerializedHistogram;
}

const now = () => performance.timeOrigin + performance.now();

export function runGenerator(c: GeneratorConfig): Promise<GeneratorResult> {
  const pools = c.urls.map((u) => new Pool({ url: new URL(u), maxConnections: Math.max(1, Math.ceil(c.maxConnections / c.urls.length)), timeoutMs: c.timeoutMs, insecure: c.insecure }));
  const traffic = c.urls.map((u, i) => new Traffic(c.scenario, c.ids, { host: new URL(u).host, apiKey: c.apiKey, runId: c.runId, seed: c.seed * 7919 + i }));
  const seconds = Math.ceil(c.durationS);
  const perSecond = Array.from({ length: seconds }, () => ({ ok: 0, non2xx: 0, errors: 0, timeouts: 0, h: new Histogram() }));
  const byEntry = c.scenario.mix.map(() => new Histogram());
  const entryCounts = c.scenario.mix.map(() => ({ ok: 0, non2xx: 0, errors: 0, timeouts: 0 }));
  const statuses: Record<string, number> = {};
  const errorCodes: Record<string, number> = {};
  const lag = new Histogram();
  const end = c.startAt + c.durationS * 1000;
  const rng = new Rng(c.seed + 1);
  let sent = 0;
  let unsent = 0;
  let outstanding = 0;
  let rr = 0;

  return new Promise((resolve) => {
    let scheduleDone = false;
    let resolved = false;
    let cutoff: NodeJS.Timeout | undefined;
    const finish = () => {
      if (!scheduleDone || resolved) return;
      // the last requests get the timeout to answer, measured from the end of the schedule
      cutoff ??= setTimeout(() => {
        for (const p of pools) p.close(); // what is left is a timeout
        outstanding = 0;
        finish();
      }, c.timeoutMs + 200);
      if (outstanding > 0) return;
      resolved = true;
      clearTimeout(cutoff);
      for (const p of pools) p.close();
      resolve({
        sent,
        unsent,
        perSecond: perSecond.map((s) => ({ ok: s.ok, non2xx: s.non2xx, errors: s.errors, timeouts: s.timeouts, hist: s.h.toJSON() })),
        byEntry: byEntry.map((h) => h.toJSON()),
        entryCounts,
        statuses,
        errorCodes,
        lag: lag.toJSON(),
        bytesIn: pools.reduce((s, p) => s + p.bytesIn, 0),
        peakConnections: pools.reduce((s, p) => s + p.peakConnections, 0),
        peakQueue: pools.reduce((s, p) => s + p.peakQueue, 0),
      });
    };

    /** Sends one request intended at `intended` (absolute ms); `after` runs when it is answered or failed. */
    const fire = (intended: number, after?: (at: number) => void) => {
      const i = rr++ % pools.length;
      const req = traffic[i]!.next();
      sent++;
      outstanding++;
      const t = now();
      lag.record((t - intended) * 1000);
      pools[i]!.request(req.bytes, intended - performance.timeOrigin, (o: Outcome) => {
        outstanding--;
        const doneAt = performance.timeOrigin + o.at;
        const us = (doneAt - intended) * 1000;
        const sec = perSecond[Math.min(seconds - 1, Math.max(0, Math.floor((intended - c.startAt) / 1000)))]!;
        const ec = entryCounts[req.entry]!;
        if (o.status === -1) {
          sec.timeouts++;
          ec.timeouts++;
        } else if (o.status === 0) {
          sec.errors++;
          ec.errors++;
          errorCodes[o.error ?? 'error'] = (errorCodes[o.error ?? 'error'] ?? 0) + 1;
        } else {
          statuses[o.status] = (statuses[o.status] ?? 0) + 1;
          if (o.status >= 200 && o.status < 300) {
            sec.ok++;
            ec.ok++;
          } else {
            sec.non2xx++;
            ec.non2xx++;
          }
          sec.h.record(us);
          byEntry[req.entry]!.record(us);
        }
        after?.(doneAt);
        finish();
      });
    };

    /** Calls `tick` at (or just after) absolute time `at`: a timer while far, setImmediate when near. */
    const wakeAt = (at: number, tick: () => void) => {
      const wait = at - now();
      if (wait > 2) setTimeout(tick, wait - 1.5);
      else setImmediate(tick);
    };

    if (c.scenario.arrival.model === 'open') {
      let next = c.startAt;
      const tick = () => {
        const t = now();
        while (next <= t && next < end) {
          if (sent >= c.maxRequests) {
            unsent++;
          } else fire(next);
          const f = rateFactorAt(c.scenario.phases, (next - c.startAt) / 1000, c.durationS);
          next = f > 0 ? next + 1000 / (c.rate * f) : nextPhaseStart(c, next);
        }
        if (next < end) wakeAt(next, tick);
        else {
          scheduleDone = true;
          finish();
        }
      };
      wakeAt(c.startAt, tick);
    } else {
      let running = c.users;
      const think = () => (c.thinkMs > 0 ? -Math.log(1 - rng.nextFloat()) * c.thinkMs : 0);
      const user = (intended: number) => {
        if (intended >= end || sent >= c.maxRequests) {
          if (--running === 0) {
            scheduleDone = true;
            finish();
          }
          return;
        }
        wakeAt(intended, () => fire(intended, (at) => user(at + think())));
      };
      // users start spread over one think time, not all at once
      for (let u = 0; u < c.users; u++) user(c.startAt + rng.nextFloat() * c.thinkMs);
    }
  });
}

function nextPhaseStart(c: GeneratorConfig, t: number): number {
  let start = c.startAt;
  for (const p of c.scenario.phases) {
    start += p.share * c.durationS * 1000;
    if (start > t) return start;
  }
  return Infinity;
}
