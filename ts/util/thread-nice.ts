// Owns lowering the calling thread's CPU priority: on Linux a thread has its own nice value, set
// through its thread id (read from /proc/thread-self), so a background thread (fold-in) yields
// the cores to the request thread when they are scarce and still gets all the CPU left over.
// Elsewhere, or where it is not permitted, nothing changes. Also names the calling thread (Linux:
// /proc/thread-self/comm), so per-thread CPU can be read from /proc/<pid>/task/*/ by name.

import { readlinkSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The calling thread's id (Linux), or null. */
export function threadId(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/**
 * Lowers the calling thread's priority by `by` nice steps below what it inherited (the process's,
 * so a server started under `nice` keeps its fold-in thread below its request thread), clamped to
 * 19; returns the value now in force, or null where threads cannot be told apart.
 */
export function lowerThisThread(by: number): number | null {
  const tid = threadId();
  if (tid === null) return null;
  try {
    setPriority(tid, Math.max(0, Math.min(19, getPriority(tid) + Math.round(by))));
  } catch {
    // not permitted (lowering a nice value needs privileges): keep what is in force
  }
  return getPriority(tid);
}

/** Names the calling thread (Linux, at most 15 bytes kept: `top -H`, /proc/<pid>/task/<tid>/comm); elsewhere nothing. */
export function nameThisThread(name: string): void {
  try {
    writeFileSync('/proc/thread-self/comm', name.slice(0, 15));
  } catch {
    // not Linux, or not permitted: the thread keeps its inherited name
  }
}
