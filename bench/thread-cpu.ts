// Owns reading a process's CPU time per thread (Linux: /proc/<pid>/task/*/schedstat, user and
// kernel time together), grouped by thread name: the main thread is 'request thread', the
// server's named workers keep their names (recs-*, ../ts/util/thread-nice.ts), and V8's and
// libuv's helpers are grouped. CPU time, not wall time, so it holds on a shared machine.

import { readdirSync, readFileSync } from 'node:fs';

const REQUEST_THREAD = 'request thread';
const HELPERS = 'V8 / libuv helpers (GC, …)';

/** Thread name → ns of CPU so far. */
export function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let comm: string;
    let ns: number;
    try {
      comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = Number(tid) === pid ? REQUEST_THREAD : comm.startsWith('recs-') ? comm : HELPERS;
    out.set(name, (out.get(name) ?? 0) + ns);
  }
  return out;
}

/** ns of CPU each thread took between two readings. */
export function cpuBetween(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, ns] of b) out.set(name, ns - (a.get(name) ?? 0));
  return out;
}
