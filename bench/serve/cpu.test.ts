import { describe, expect, it } from 'vitest';
import { cpuSecondsOf } from './cpu.js';

describe('cpuSecondsOf', () => {
  it('counts the CPU a process spends', () => {
    const before = cpuSecondsOf([process.pid]);
    const until = Date.now() + 300;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const spent = cpuSecondsOf([process.pid]) - before;
    expect(x).toBeGreaterThan(0);
    expect(spent).toBeGreaterThan(0.15);
    expect(spent).toBeLessThan(5);
  });

  it('is NaN for a process that does not exist or has no pid', () => {
    expect(cpuSecondsOf([2 ** 22 + 12345])).toBeNaN();
    expect(cpuSecondsOf([process.pid, undefined])).toBeNaN();
  });
});
