// Owns a probe a bench loads into a server it starts (NODE_OPTIONS=--import, ./gc-probe-env.ts):
// the main thread's garbage-collection pauses, counted and summed by kind (minor: scavenges; major:
// mark-compacts; incremental: marking steps; weak callbacks), written as JSON to the file named by
// RECS_BENCH_GC_FILE every 100 ms. Any build of the server can be probed (the baseline of an A/B
// too); the request thread's pauses are what every reader waits out.

import { writeFileSync } from 'node:fs';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

export interface GcTotals {
  minor: { count: number; ms: number };
  major: { count: number; ms: number };
  incremental: { count: number; ms: number };
  weak: { count: number; ms: number };
}

const file = process.env['RECS_BENCH_GC_FILE'];
if (isMainThread && file) {
  const totals: GcTotals = { minor: { count: 0, ms: 0 }, major: { count: 0, ms: 0 }, incremental: { count: 0, ms: 0 }, weak: { count: 0, ms: 0 } };
  const kinds: Record<number, keyof GcTotals> = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak',
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = kinds[(e as PerformanceEntry & { detail: { kind: number } }).detail.kind];
      if (!kind) continue;
      totals[kind].count++;
      totals[kind].ms += e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  setInterval(() => writeFileSync(file, JSON.stringify(totals)), 100).unref();
}
