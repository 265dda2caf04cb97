import { describe, expect, it } from 'vitest';
import { cpuShares, cpuTicks, parseProcStat } from './host-cpu.js';

const stat = (user: number, idle: number, steal: number) => `cpu  ${user} 0 10 ${idle} 5 0 0 ${steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1 2\n`;

describe('host CPU shares', () => {
  it('reads the aggregate line: idle includes iowait, steal is the eighth field', () => {
    expect(parseProcStat(stat(100, 50, 7))).toEqual({ idle: 55, steal: 7, total: 172 });
    expect(parseProcStat('intr 1 2\n')).toBeNull();
    expect(parseProcStat('cpu  1 2 x 4 5 6 7 8\n')).toBeNull();
  });

  it('gives the shares of the time between two readings', () => {
    const a = parseProcStat(stat(100, 50, 0));
    const b = parseProcStat(stat(160, 70, 20)); // +60 user, +20 idle, +20 steal: 100 ticks
    const s = cpuShares(a, b);
    expect(s.idlePct).toBeCloseTo(20, 10);
    expect(s.stealPct).toBeCloseTo(20, 10);
    expect(cpuShares(a, null).stealPct).toBeNaN();
    expect(cpuShares(a, a).idlePct).toBeNaN();
  });

  it('reads this host on Linux', () => {
    const t = cpuTicks();
    if (process.platform !== 'linux') return expect(t).toBeNull();
    expect(t!.total).toBeGreaterThan(0);
    expect(t!.steal).toBeGreaterThanOrEqual(0);
  });
});
