// Owns how the serving benchmark shares this machine's cores. Load generators and servers on the
// same cores take turns, so a slow generator looks like a slow server and the latency of both
// includes waiting for the other's time slice. With two cores or more and `taskset` installed
// (util-linux), the processes under test (API, bare endpoints, their stores) get the last core and
// the generators (this process, running autocannon, and wrk) the others; the report says which.

import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface CorePlan {
  /** taskset CPU list for the servers, or null when nothing is pinned. */
  server: string | null;
  /** taskset CPU list for the load generators, or null. */
  load: string | null;
  /** One line for the report. */
  note: string;
}

/** The plan in force: set once by the benchmark's entry point, read where processes are started. */
export const current: { plan: CorePlan } = { plan: { server: null, load: null, note: 'cores: not pinned' } };

/** Decides the plan, makes it current and moves this process (the autocannon driver) to the load cores. */
export function applyCorePlan(enabled: boolean): CorePlan {
  const plan = planCores(enabled);
  current.plan = plan;
  pinProcess(process.pid, plan.load);
  return plan;
}

export function planCores(enabled: boolean): CorePlan {
  const n = availableParallelism();
  if (!enabled) return { server: null, load: null, note: 'cores: not pinned (--no-pin)' };
  if (n < 2) return { server: null, load: null, note: `cores: not pinned (${n} core)` };
  if (spawnSync('taskset', ['--version']).error) return { server: null, load: null, note: 'cores: not pinned (taskset not found; apt-get install util-linux)' };
  const server = String(n - 1);
  const load = n === 2 ? '0' : `0-${n - 2}`;
  return { server, load, note: `cores: servers under test (and their stores) pinned to CPU ${server}, load generators to CPU ${load} (taskset)` };
}

/** `cmd args` run on `cpus` (taskset execs the command, so the child's pid is the command's). */
export function onCores(cpus: string | null, cmd: string, args: string[]): [string, string[]] {
  return cpus === null ? [cmd, args] : ['taskset', ['-c', cpus, cmd, ...args]];
}

/** Moves a running process (all its threads) to `cpus`. */
export function pinProcess(pid: number, cpus: string | null): void {
  if (cpus === null) return;
  const r = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset could not pin process ${pid} to CPU ${cpus}: ${r.stderr.trim()}`);
}
