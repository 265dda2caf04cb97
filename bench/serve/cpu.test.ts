import { describe, expect, it } from 'vitest';
import { cpuSecondsOf } from './cpu.js';

describe('cpuSecondsOf', () => {
  it('counts the CPU a process spends', () => {
    // spin until process.cpuUsage() (an independent count) says 0.3 s of CPU went by: on a busy
    // machine a wall-clock spin may get far less CPU than its length
    const before = cpuSecondsOf([process.pid]);
    const usage0 = process.cpuUsage();
    const used = () => {
      const u = process.cpuUsage(usage0);
      return (u.user + u.system) / 1e6;
    };
    let x = 0;
    while (used() < 0.3) for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + 1);
    const spent = cpuSecondsOf([process.pid]) - before;
    const reference = used();
    expect(x).toBeGreaterThan(0);
    // /proc counts in clock ticks (10 ms): allow two ticks either way
    expect(spent).toBeGreaterThan(reference - 0.02);
    expect(spent).toBeLessThan(reference + 0.5);
  });

  it('is NaN for a process that does not exist or has no pid', () => {
    expect(cpuSecondsOf([2 ** 22 + 12345])).toBeNaN();
    expect(cpuSecondsOf([process.pid, undefined])).toBeNaN();
  });
});
