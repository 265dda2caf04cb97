import { describe, expect, it } from 'vitest';
import { pendingDeadlines, within, withTimeout } from './deadline.js';
import { StoreError } from './types.js';

const never = () => new Promise<never>(() => {});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('store call deadlines', () => {
  it('passes an answer in time through, mapped', async () => {
    await expect(within(Promise.resolve(2), 1_000, { map: (v) => v * 21 })).resolves.toBe(42);
    await expect(withTimeout(Promise.resolve('x'), 1_000)).resolves.toBe('x');
  });

  it('rejects with StoreError timeout once the deadline passes, not before', async () => {
    const t0 = performance.now();
    const err = await within(never(), 40).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).reason).toBe('timeout');
    expect((err as Error).message).toBe('store: no answer within 40 ms');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(39);
  });

  it('ends each wait at its own deadline when calls under one timeout start at different times', async () => {
    const t0 = performance.now();
    const ended: [string, number][] = [];
    const a = within(never(), 60).catch(() => ended.push(['a', performance.now() - t0]));
    await sleep(30);
    const b = within(never(), 60).catch(() => ended.push(['b', performance.now() - t0]));
    const c = within(
      sleep(20).then(() => 'c'),
      60,
    ).then((v) => ended.push([v, performance.now() - t0]));
    await Promise.all([a, b, c]);
    expect(ended.map(([k]) => k)).toEqual(['c', 'a', 'b']);
    expect(ended[1]![1]).toBeGreaterThanOrEqual(59);
    expect(ended[2]![1]).toBeGreaterThanOrEqual(89);
  });

  it('keeps apart the queues of different timeouts', async () => {
    const t0 = performance.now();
    const long = within(never(), 80).catch(() => performance.now() - t0);
    const short = within(never(), 20).catch(() => performance.now() - t0);
    const [l, s] = await Promise.all([long, short]);
    expect(s).toBeLessThan(l);
    expect(l).toBeGreaterThanOrEqual(79);
  });

  it('passes errors through mapError, including a throwing map', async () => {
    const mapError = (e: unknown) => new StoreError(`wrapped: ${(e as Error).message}`, 'unavailable');
    await expect(within(Promise.reject(new Error('boom')), 1_000, { mapError })).rejects.toThrow('wrapped: boom');
    await expect(
      within(Promise.resolve(1), 1_000, {
        map: () => {
          throw new Error('bad value');
        },
        mapError,
      }),
    ).rejects.toThrow('wrapped: bad value');
  });

  it('rejects when the signal aborts, before or during the call', async () => {
    const ac = new AbortController();
    const p = within(never(), 10_000, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toThrow('store: request aborted');
    await expect(within(never(), 10_000, { signal: ac.signal })).rejects.toThrow('store: request aborted');
  });

  it('lets go of settled calls: nothing stays queued once the deadlines pass', async () => {
    await Promise.all(Array.from({ length: 5_000 }, (_, i) => within(Promise.resolve(i), 30)));
    expect(pendingDeadlines(30)).toBeGreaterThan(0);
    await sleep(80);
    expect(pendingDeadlines(30)).toBe(0);
  });
});
