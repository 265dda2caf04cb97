// Owns running one load step across generators (worker threads, or this thread when workers is
// 0, as the tests do), each with its share of the rate or of the virtual users, then merging what
// they measured into one result: per-second and overall latency histograms, counts by outcome and
// by mix entry, status codes, error codes and the generators' send lag. Every generator first
// builds its requests and opens its warm connections; the common start is set once all are ready.
// Threads (./threads.ts) are best started once per command and passed to every step. A watchdog
// ends a step that overruns its duration plus the request timeout, so every run stops by itself.

import { randomBytes } from 'node:crypto';
import { Histogram } from './histogram.js';
import { prepareGenerator, type Counts, type GeneratorConfig, type GeneratorResult, type Tallies } from './generator.js';
import { GeneratorThreads } from './threads.js';

/** A generator's configuration with run-wide totals (rate, users, connections, request cap), split across `workers`. */
export interface StepOptions extends Omit<GeneratorConfig, 'runId' | 'warmConnections'> {
  /** Generator threads; 0 runs one generator in this thread. */
  workers: number;
}

/** Connections to open before the measured window: what 50 ms of the rate needs (a server pausing that long), plus a few; or one per virtual user. */
export function warmConnections(o: Pick<StepOptions, 'scenario' | 'rate' | 'users' | 'maxConnections'>): number {
  const want = o.scenario.arrival.model === 'open' ? Math.ceil(o.rate * 0.05) + 8 : o.users;
  return Math.min(o.maxConnections, want);
}

export type { Counts };

export interface StepResult extends Tallies {
  /** Target rate (open loop), or NaN for virtual users. */
  rate: number;
  durationS: number;
  sent: number;
  unsent: number;
  counts: Counts;
  /** Answers (2xx or not) per second over the run. */
  achievedRps: number;
  latency: Histogram;
  perSecond: Array<Counts & { latency: Histogram }>;
  byEntry: Array<{ name: string; counts: Counts; latency: Histogram }>;
  lag: Histogram;
}

/** Runs one step; in `threads` when given (they stay open), else in threads started and closed here (none when workers is 0). */
export async function runStep(o: StepOptions, threads?: GeneratorThreads): Promise<StepResult> {
  const n = Math.max(1, o.workers);
  const runId = randomBytes(4).toString('hex');
  const open = o.scenario.arrival.model === 'open';
  const warm = warmConnections(o);
  const configs: GeneratorConfig[] = Array.from({ length: n }, (_, w) => ({
    urls: o.urls,
    apiKey: o.apiKey,
    insecure: o.insecure,
    scenario: o.scenario,
    ids: o.ids,
    rate: o.rate / n,
    users: Math.floor(o.users / n) + (w < o.users % n ? 1 : 0),
    thinkMs: o.thinkMs,
    durationS: o.durationS,
    maxConnections: Math.ceil(o.maxConnections / n),
    warmConnections: Math.ceil(warm / n),
    timeoutMs: o.timeoutMs,
    maxRequests: Math.ceil(o.maxRequests / n),
    runId: `${runId}${w}`,
    seed: o.seed + 1000 * w,
  }));
  const limitMs = 60_000 + o.durationS * 1000 + o.timeoutMs + 10_000;
  const own = o.workers > 0 && !threads ? new GeneratorThreads(n) : null;
  const pool = threads ?? own;
  if (pool && pool.size < n) throw new Error(`runStep: ${n} generators asked of ${pool.size} threads`);
  try {
    const generators = pool ? await pool.prepare(configs, limitMs) : await Promise.all(configs.map(prepareGenerator));
    const startAt = performance.timeOrigin + performance.now() + 20 + 5 * n;
    // interleave the workers' schedules
    const results = await Promise.all(generators.map((g, w) => g.run(startAt + (open ? (1000 / o.rate) * w : 0))));
    return mergeResults(o, results);
  } finally {
    await own?.close();
  }
}

const zero = (): Counts => ({ ok: 0, non2xx: 0, errors: 0, timeouts: 0 });
const addCounts = (a: Counts, b: Counts) => {
  a.ok += b.ok;
  a.non2xx += b.non2xx;
  a.errors += b.errors;
  a.timeouts += b.timeouts;
};

export function mergeResults(o: Pick<StepOptions, 'scenario' | 'rate' | 'durationS'>, results: GeneratorResult[]): StepResult {
  const seconds = Math.max(...results.map((r) => r.perSecond.length));
  const perSecond = Array.from({ length: seconds }, () => ({ ...zero(), latency: new Histogram() }));
  const byEntry = o.scenario.mix.map((m) => ({ name: m.name, counts: zero(), latency: new Histogram() }));
  const latency = new Histogram();
  const lag = new Histogram();
  const counts = zero();
  const statuses: Record<string, number> = {};
  const errorCodes: Record<string, number> = {};
  for (const r of results) {
    r.perSecond.forEach((s, i) => {
      addCounts(perSecond[i]!, s);
      addCounts(counts, s);
      const h = Histogram.from(s.hist);
      perSecond[i]!.latency.add(h);
      latency.add(h);
    });
    r.byEntry.forEach((h, i) => byEntry[i]!.latency.add(Histogram.from(h)));
    r.entryCounts.forEach((c, i) => addCounts(byEntry[i]!.counts, c));
    for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.errorCodes)) errorCodes[k] = (errorCodes[k] ?? 0) + v;
    lag.add(Histogram.from(r.lag));
  }
  return {
    rate: o.scenario.arrival.model === 'open' ? o.rate : NaN,
    durationS: o.durationS,
    sent: results.reduce((s, r) => s + r.sent, 0),
    unsent: results.reduce((s, r) => s + r.unsent, 0),
    counts,
    achievedRps: (counts.ok + counts.non2xx) / o.durationS,
    latency,
    perSecond,
    byEntry,
    statuses,
    errorCodes,
    lag,
    bytesIn: results.reduce((s, r) => s + r.bytesIn, 0),
    peakConnections: results.reduce((s, r) => s + r.peakConnections, 0),
    peakQueue: results.reduce((s, r) => s + r.peakQueue, 0),
    coldConnections: results.reduce((s, r) => s + r.coldConnections, 0),
  };
}
