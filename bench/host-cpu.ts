// Owns what the host's CPUs did during a measurement, from /proc/stat: the share of CPU time
// that was idle, and the share stolen by the hypervisor (time this virtual machine wanted to run
// and another tenant's did instead). A phase whose steal share differs from its baseline's was
// measured on a different machine, in effect: a throughput ratio between them says more about
// the neighbours than about the server. Linux only; elsewhere every share is NaN.

import { readFileSync } from 'node:fs';

/** The aggregate "cpu" line of /proc/stat, in clock ticks (null where there is none). */
export interface CpuTicks {
  idle: number;
  steal: number;
  total: number;
}

/** Parses the aggregate line of a /proc/stat text (user nice system idle iowait irq softirq steal …). */
export function parseProcStat(text: string): CpuTicks | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (v.length < 8 || v.some((x) => !Number.isFinite(x))) return null;
  // guest time is already counted in user and nice: the first eight fields are the whole
  const [, , , idle, iowait, , , steal] = v as [number, number, number, number, number, number, number, number];
  return { idle: idle + iowait, steal, total: v.reduce((a, b) => a + b, 0) };
}

export function cpuTicks(): CpuTicks | null {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** Idle and stolen shares (%) of the CPU time between two readings (NaN when either is missing). */
export function cpuShares(a: CpuTicks | null, b: CpuTicks | null): { idlePct: number; stealPct: number } {
  const total = a && b ? b.total - a.total : 0;
  if (!a || !b || total <= 0) return { idlePct: NaN, stealPct: NaN };
  return { idlePct: (100 * (b.idle - a.idle)) / total, stealPct: (100 * (b.steal - a.steal)) / total };
}
