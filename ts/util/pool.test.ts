import { describe, expect, it } from 'vitest';
import { batchStarts, forEachLimit } from './pool.js';

const tick = () => new Promise<void>((r) => setTimeout(r, 1));

describe('forEachLimit', () => {
  it('visits every item once, in start order, never more than `limit` at once', async () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const started: number[] = [];
    let inFlight = 0;
    let most = 0;
    await forEachLimit(items, 4, async (x, i) => {
      expect(x).toBe(i);
      started.push(x);
      most = Math.max(most, ++inFlight);
      await tick();
      inFlight--;
    });
    expect(started).toEqual(items);
    expect(most).toBe(4);
  });

  it('handles an empty list and a limit above the list length', async () => {
    let calls = 0;
    await forEachLimit([], 8, async () => void calls++);
    await forEachLimit([1, 2], 100, async () => void calls++);
    expect(calls).toBe(2);
  });

  it('stops starting items after a failure and rethrows it once the calls in flight settle', async () => {
    const seen: number[] = [];
    let settled = 0;
    const run = forEachLimit([0, 1, 2, 3, 4, 5, 6, 7], 2, async (x) => {
      seen.push(x);
      await tick();
      settled++;
      if (x === 1) throw new Error('item 1 failed');
    });
    await expect(run).rejects.toThrow('item 1 failed');
    expect(settled).toBe(seen.length); // nothing still running
    expect(seen.length).toBeLessThan(8);
  });

  it('refuses a limit below 1', async () => {
    await expect(forEachLimit([1], 0, async () => {})).rejects.toThrow(/limit must be at least 1/);
  });
});

describe('batchStarts', () => {
  it('splits n rows into batches of `size`', () => {
    expect(batchStarts(0, 3)).toEqual([]);
    expect(batchStarts(7, 3)).toEqual([0, 3, 6]);
    expect(batchStarts(6, 3)).toEqual([0, 3]);
  });
});
