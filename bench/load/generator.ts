// Owns one load generator's run (a worker thread runs one; ./worker.ts): the schedule of intended
// send times and the recording of what came back. Open loop: arrivals at the given rate (times the
// scenario's phase factor) on a fixed schedule that never waits for answers, each request's latency
// measured from its intended send time, so a stalled server or a slow generator shows up in the
// latency instead of silently lowering the load (no coordinated omission: wrk2's method). Virtual
// users: each sends, waits for the answer, thinks (exponential, scenario mean) and sends again.
// Two phases: `prepareGenerator` builds the requests ahead and opens warm connections, then `run`
// sends from the given start. The schedule is kept by a timer while the next send is more than
// SPIN_MS away and by a setImmediate loop closer than that (the generator owns its core; a timer
// alone fires up to a millisecond late). Requests in flight live in slot arrays (./slots.ts), so
// the hot path allocates nothing of its own; how late each request actually left is recorded as
// the send lag.

import { Rng } from '../../ts/data/random.js';
import { Pool } from './client.js';
import { Histogram, type SerializedHistogram } from './histogram.js';
import { rateFactorAt, type Scenario } from './scenario.js';
import { Slots } from './slots.js';
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
  maxConnections: number;
  /** Connections opened before the measured window (up to maxConnections). */
  warmConnections: number;
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
  /** Connections opened inside the measured window (the warm ones were not enough). */
  coldConnections: number;
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

export interface PreparedGenerator {
  /** Sends the schedule from `startAt` (performance.timeOrigin + performance.now() scale, ms). */
  run(startAt: number): Promise<GeneratorResult>;
}

/** Below this distance to the next send the scheduler polls (setImmediate) instead of sleeping. */
export const SPIN_MS = 2;
/** Most requests built before the run; the rest are built as they are sent. */
export const PREBUILT_MAX = 1 << 17;

const now = () => performance.timeOrigin + performance.now();

/** How many requests the schedule will send, for building them ahead. */
function expectedRequests(c: GeneratorConfig): number {
  // virtual users: one request per think time each (answers take a little more), with a margin
  if (c.scenario.arrival.model !== 'open') return Math.min(c.maxRequests, Math.ceil((1.5 * c.users * c.durationS * 1000) / Math.max(1, c.thinkMs)) + 16);
  const peak = Math.max(1, ...c.scenario.phases.map((p) => p.rateFactor));
  return Math.ceil(c.rate * peak * c.durationS) + 16;
}

export async function prepareGenerator(c: GeneratorConfig): Promise<PreparedGenerator> {
  const seconds = Math.ceil(c.durationS);
  const perSecond = Array.from({ length: seconds }, () => ({ ok: 0, non2xx: 0, errors: 0, timeouts: 0, h: new Histogram() }));
  const byEntry = c.scenario.mix.map(() => new Histogram());
  const entryCounts = c.scenario.mix.map(() => ({ ok: 0, non2xx: 0, errors: 0, timeouts: 0 }));
  const statuses: Record<string, number> = {};
  const errorCodes: Record<string, number> = {};
  const lag = new Histogram();
  const rng = new Rng(c.seed + 1);
  // requests in flight, by slot: mix entry, intended time (absolute ms), virtual user (-1: none)
  const slots = new Slots();
  let startAt = 0;
  let sent = 0;
  let unsent = 0;
  let outstanding = 0;
  let rr = 0;
  let scheduleDone = false;
  let onSettled: (() => void) | null = null;
  let user: (u: number, intended: number) => void = () => {};

  const onOutcome = (slot: number, status: number, at: number, error: string | undefined) => {
    const entry = slots.entry[slot]!;
    const intended = slots.intended[slot]!;
    const u = slots.user[slot]!;
    slots.release(slot);
    outstanding--;
    const doneAt = performance.timeOrigin + at;
    const us = (doneAt - intended) * 1000;
    const sec = perSecond[Math.min(seconds - 1, Math.max(0, Math.floor((intended - startAt) / 1000)))]!;
    const ec = entryCounts[entry]!;
    if (status === -1) {
      sec.timeouts++;
      ec.timeouts++;
    } else if (status === 0) {
      sec.errors++;
      ec.errors++;
      errorCodes[error ?? 'error'] = (errorCodes[error ?? 'error'] ?? 0) + 1;
    } else {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) {
        sec.ok++;
        ec.ok++;
      } else {
        sec.non2xx++;
        ec.non2xx++;
      }
      sec.h.record(us);
      byEntry[entry]!.record(us);
    }
    if (u >= 0) user(u, doneAt);
    if (scheduleDone && outstanding === 0) onSettled?.();
  };

  const pools = c.urls.map((u) => new Pool({ url: new URL(u), maxConnections: Math.max(1, Math.ceil(c.maxConnections / c.urls.length)), timeoutMs: c.timeoutMs, insecure: c.insecure, onOutcome }));
  const traffic = c.urls.map((u, i) => new Traffic(c.scenario, c.ids, { host: new URL(u).host, apiKey: c.apiKey, runId: c.runId, seed: c.seed * 7919 + i }));
  const ahead = Math.min(PREBUILT_MAX, expectedRequests(c));
  traffic.forEach((t) => t.prepare(Math.ceil(ahead / traffic.length)));
  await Promise.all(pools.map((p) => p.warm(Math.ceil(c.warmConnections / pools.length))));
  for (const p of pools) p.openedCold = 0;

  /** Sends one request intended at `intended` (absolute ms) for virtual user `u` (-1: open loop). */
  const fire = (intended: number, u: number) => {
    const i = rr++ % pools.length;
    const t = traffic[i]!;
    t.next();
    const slot = slots.take();
    slots.entry[slot] = t.entry;
    slots.intended[slot] = intended;
    slots.user[slot] = u;
    sent++;
    outstanding++;
    lag.record((now() - intended) * 1000);
    pools[i]!.request(slot, t.bytes, intended - performance.timeOrigin);
  };

  /** Calls `tick` at (or just after) absolute time `at`: a timer while far, setImmediate when near. */
  const wakeAt = (at: number, tick: () => void) => {
    const wait = at - now();
    if (wait > SPIN_MS) setTimeout(tick, wait - SPIN_MS);
    else setImmediate(tick);
  };

  const run = (start: number): Promise<GeneratorResult> =>
    new Promise((resolve) => {
      startAt = start;
      const end = start + c.durationS * 1000;
      let resolved = false;
      let cutoff: NodeJS.Timeout | undefined;
      const finish = () => {
        if (resolved) return;
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
          coldConnections: pools.reduce((s, p) => s + p.openedCold, 0),
        });
      };
      const scheduleEnds = () => {
        scheduleDone = true;
        onSettled = finish;
        finish();
      };

      if (c.scenario.arrival.model === 'open') {
        // the schedule counts from the start (a small number: adding intervals to an absolute time
        // would round off by more than the last interval's share of a millisecond)
        let at = 0;
        const last = c.durationS * 1000 - 1e-6;
        const tick = () => {
          const t = now() - start;
          while (at <= t && at < last) {
            if (sent >= c.maxRequests) unsent++;
            else fire(start + at, -1);
            const f = rateFactorAt(c.scenario.phases, at / 1000, c.durationS);
            at = f > 0 ? at + 1000 / (c.rate * f) : nextPhaseStart(c, at);
          }
          if (at < last) wakeAt(start + at, tick);
          else scheduleEnds();
        };
        wakeAt(start, tick);
      } else {
        let running = c.users;
        const think = () => (c.thinkMs > 0 ? -Math.log(1 - rng.nextFloat()) * c.thinkMs : 0);
        const schedule = (u: number, intended: number) => {
          if (intended >= end || sent >= c.maxRequests) {
            if (--running === 0) scheduleEnds();
            return;
          }
          wakeAt(intended, () => fire(intended, u));
        };
        user = (u: number, at: number) => schedule(u, at + think());
        // users start spread over one think time, not all at once
        for (let u = 0; u < c.users; u++) schedule(u, start + rng.nextFloat() * c.thinkMs);
      }
    });
  return { run };
}

/** Prepares and runs at once (the tests' single-thread path). */
export async function runGenerator(c: GeneratorConfig, startAt: number): Promise<GeneratorResult> {
  const g = await prepareGenerator(c);
  return g.run(Math.max(startAt, now()));
}

/** When the phase after the one holding `t` (ms from the start) begins, ms from the start. */
function nextPhaseStart(c: GeneratorConfig, t: number): number {
  let start = 0;
  for (const p of c.scenario.phases) {
    start += p.share * c.durationS * 1000;
    if (start > t) return start;
  }
  return Infinity;
}
