// Tests the verdicts of the serving benchmark and the --stores list: the API judged against the bare
// endpoint (a p99 both miss is put down to the load generator), each store row against its own
// baseline, errors and fallback answers failing it, unknown names refused.

import { describe, expect, it } from 'vitest';
import type { LoadResult } from './load.js';
import { judge, judgeStores, storeVerdictLine, verdictLine } from './report.js';
import { parseStores } from './targets.js';

const result = (target: string, rps: number, errors = 0): LoadResult => ({
  tool: 'wrk',
  target,
  seconds: 10,
  connections: 200,
  requests: rps * 10,
  rps,
  p50: 1,
  p90: 2,
  p97_5: 3,
  p99: 4,
  max: 5,
  errors,
  non2xx: 0,
  bytesPerResponse: 500,
  rounds: 2,
  cpuUsPerRequest: 18.5,
});

describe('judge', () => {
  it('passes the API at ≥ 90 % of bare with p99 ≤ 10 ms and no errors', () => {
    const v = judge('m', result('api', 45_500), result('bare', 50_000));
    expect(v.project).toBe(true);
    expect(verdictLine(v)).toMatch(/API\/bare ratio 0\.910; .* project targets .* PASS$/);
  });

  it("fails a p99 over 10 ms, and says when the bare endpoint misses it too (the generator's ceiling)", () => {
    const slow = (target: string, rps: number, p99: number) => ({ ...result(target, rps), tool: 'autocannon' as const, p99 });
    const both = judge('m', slow('api', 20_000, 40), slow('bare', 20_000, 38));
    expect(both.project).toBe(false);
    expect(both.failures).toEqual([
      "p99 40.00 ms > 10 ms (the bare endpoint's p99 is 38.00 ms too: at 20,000 req/s, 200 connections wait 10.00 ms on average (Little's law), the load generator's ceiling, not the server's)",
    ]);
    const apiOnly = judge('m', slow('api', 20_000, 40), slow('bare', 20_000, 8));
    expect(apiOnly.failures).toEqual(['p99 40.00 ms > 10 ms']);
  });
});

describe('judgeStores', () => {
  it('judges redis against bare uWS + ioredis and the warm cache against the embedded store', () => {
    const v = judgeStores('m', [result('api', 10_000), result('bare', 20_000), result('redis', 9_000), result('bare-redis', 9_500), result('redis-cached', 8_000), result('cosmos', 500)], {});
    expect(v.map((x) => [x.target, x.baseline, x.pass])).toEqual([
      ['redis', 'bare-redis', true],
      ['redis-cached', 'api', false],
      ['cosmos', 'api', undefined],
    ]);
    expect(v[0]!.ratio).toBeCloseTo(9_000 / 9_500, 9);
    expect(v[1]!.failures).toEqual(['ratio 0.800 < 0.9']);
    expect(storeVerdictLine(v[2]!, { cosmos: 'API (cosmos)', api: 'API (embedded store)' })).toBe('m / wrk: API (cosmos) / API (embedded store) = 0.050 (no target: a test double)');
  });

  it('fails a row with errors or with store errors answered from the fallback, whatever its speed', () => {
    const v = judgeStores('m', [result('api', 10_000), result('redis', 10_000, 3), result('bare-redis', 9_000), result('redis-cached', 10_000)], { 'redis-cached': 7 });
    expect(v[0]).toMatchObject({ pass: false, failures: ['3 errors, 0 non-2xx'] });
    expect(v[1]!.pass).toBe(false);
    expect(v[1]!.failures[0]).toMatch(/^7 store errors/);
  });

  it('leaves out the rows that did not run', () => {
    expect(judgeStores('m', [result('api', 1), result('bare', 2)], {})).toEqual([]);
  });
});

describe('parseStores', () => {
  it('reads the list, embedded implied, duplicates dropped, unknown names refused', () => {
    expect(parseStores('embedded')).toEqual([]);
    expect(parseStores('embedded, redis,redis-cached,redis,cosmos')).toEqual(['redis', 'redis-cached', 'cosmos']);
    expect(() => parseStores('redis,mongo')).toThrow('--stores: unknown "mongo"; choose from embedded, redis, redis-cached, cosmos (or all)');
  });
});
