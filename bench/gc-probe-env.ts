// Owns starting a server with the GC probe (./gc-probe.ts) and reading what it wrote: the
// environment that loads it, and the totals between two readings.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { GcTotals } from './gc-probe.js';

const probe = fileURLToPath(new URL('./gc-probe.js', import.meta.url));

/** Environment for a server that reports its main thread's GC pauses to `file`. */
export function gcProbeEnv(file: string): NodeJS.ProcessEnv {
  if (!existsSync(probe)) throw new Error(`${probe} is missing: run pnpm build:ts`);
  return { NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import ${pathToFileURL(probe).href}`.trim(), RECS_BENCH_GC_FILE: file };
}

/** The totals the probe last wrote (waits a little past its 100 ms period, so they are current). */
export async function readGc(file: string): Promise<GcTotals> {
  await new Promise((r) => setTimeout(r, 250));
  return JSON.parse(readFileSync(file, 'utf8')) as GcTotals;
}

/** Pauses between two readings: count and ms per kind. */
export function gcBetween(a: GcTotals, b: GcTotals): GcTotals {
  const d = (k: keyof GcTotals) => ({ count: b[k].count - a[k].count, ms: b[k].ms - a[k].ms });
  return { minor: d('minor'), major: d('major'), incremental: d('incremental'), weak: d('weak') };
}
