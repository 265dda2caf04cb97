// Owns measuring the CPU the processes under test spend: user + system seconds from
// /proc/<pid>/stat, read before and after a load run. Divided by the run's requests it gives CPU
// time per request, which, unlike requests/s, does not depend on whether the server or the load
// generator ran out of CPU first, and moves less when other work on the machine slows both.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | null = null;

function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // USER_HZ on every Linux build
    }
  }
  return ticksPerSecond;
}

/** User + system CPU seconds of `pids` so far, or NaN when /proc cannot say (not Linux, a process gone or not started). */
export function cpuSecondsOf(pids: readonly (number | undefined)[]): number {
  let ticks = 0;
  for (const pid of pids) {
    if (pid === undefined) return NaN;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return NaN;
    }
    // fields after the command name (which may hold spaces), from field 3 (state) on
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(rest[11]) + Number(rest[12]); // utime (field 14) + stime (field 15)
  }
  return ticks / clockTicks();
}
