// Tests the cache in front of a store: bounded in entries and in estimated bytes (LRU), TTL,
// coalescing, per-version keys, and its counters.

import { describe, expect, it } from 'vitest';
import { CacheStats } from './cache-stats.js';
import { CachedStore, ENTRY_OVERHEAD_BYTES } from './cached.js';
import { StoreError, type RecommendationStore, type UserList } from './types.js';

/** A store whose list for user "nN" has N items (others: 1 item; "nobody": none). */
function fakeStore(version = 'v1', delayMs = 5) {
  const calls: string[] = [];
  let fail = false;
  const store: RecommendationStore = {
    kind: 'fake',
    modelVersion: version,
    depth: 2,
    async get(user) {
      calls.push(String(user));
      await new Promise((r) => setTimeout(r, delayMs));
      if (fail) throw new StoreError('down', 'unavailable');
      if (user === 'nobody') return null;
      const n = /^n(\d+)$/.exec(String(user)) ? Number(String(user).slice(1)) : 1;
      return { modelVersion: version, items: new Uint32Array(n).fill(calls.length), scores: new Float32Array(n).fill(1) } satisfies UserList;
    },
    async close() {},
  };
  return { store, calls, setFail: (f: boolean) => (fail = f) };
}

describe('CachedStore', () => {
  it('coalesces concurrent gets of one user into one store read', async () => {
    const f = fakeStore();
    const c = new CachedStore(f.store);
    const lists = await Promise.all(Array.from({ length: 50 }, () => c.get('a')));
    expect(f.calls).toEqual(['a']);
    expect(new Set(lists).size).toBe(1);
    await c.get('a');
    expect(f.calls).toEqual(['a']);
    expect(c.stats).toMatchObject({ misses: 1, coalesced: 49, hits: 1 });
  });

  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const f = fakeStore('v1', 0);
    const c = new CachedStore(f.store, { maxEntries: 2 });
    await c.get('a');
    await c.get('b');
    await c.get('a'); // a is now the most recent
    await c.get('c'); // evicts b
    expect(c.size).toBe(2);
    await c.get('a');
    await c.get('b');
    expect(f.calls).toEqual(['a', 'b', 'c', 'b']);
  });

  it('keeps the estimated bytes under maxBytes, evicting the least recently used, and counts them', async () => {
    const f = fakeStore('v1', 0);
    // by hand: an entry of user "nN" holds N × 8 bytes of arrays + the overhead + 2 bytes per key character
    const size = (user: string) => ENTRY_OVERHEAD_BYTES + 2 * user.length + 8 * Number(user.slice(1));
    const maxBytes = size('n100') + size('n200') + size('n300');
    const c = new CachedStore(f.store, { maxEntries: 1000, maxBytes });
    for (const u of ['n100', 'n200', 'n300']) await c.get(u);
    expect(c.bytes).toBe(maxBytes);
    expect(c.stats).toMatchObject({ entries: 3, bytes: maxBytes, evictions: 0 });
    await c.get('n100'); // most recent now: n200 goes first
    await c.get('n150'); // needs room: evicts n200 (n300 + n100 + n150 fit)
    expect(c.size).toBe(3);
    expect(c.bytes).toBe(size('n300') + size('n100') + size('n150'));
    expect(c.stats.evictions).toBe(1);
    await c.get('n200'); // read again
    expect(f.calls.filter((u) => u === 'n200')).toHaveLength(2);
    // many lists of random sizes: the bound holds after every insertion, and the counts match a recount
    for (let i = 0; i < 300; i++) {
      await c.get(`n${(i * 37) % 400}`);
      expect(c.bytes).toBeLessThanOrEqual(maxBytes);
      expect(c.stats.bytes).toBe(c.bytes);
      expect(c.stats.entries).toBe(c.size);
    }
    expect(c.stats.evictions).toBeGreaterThan(100);
  });

  it('holds to both bounds at once: entries bind when lists are small, bytes when they are large', async () => {
    const f = fakeStore('v1', 0);
    const c = new CachedStore(f.store, { maxEntries: 5, maxBytes: 10 * (ENTRY_OVERHEAD_BYTES + 2 * 4 + 8 * 100) });
    for (let i = 10; i < 30; i++) await c.get(`n${i}`);
    expect(c.size).toBe(5);
    for (let i = 500; i < 520; i++) await c.get(`n${i}`); // each ≥ 4 000 bytes of arrays: at most 2 fit
    expect(c.size).toBe(2);
    expect(c.bytes).toBeLessThanOrEqual(10 * (ENTRY_OVERHEAD_BYTES + 8 + 800));
    const one = new CachedStore(fakeStore('v1', 0).store, { maxBytes: 100 }); // a list larger than the bound is not kept
    await one.get('n50');
    expect(one.size).toBe(0);
    expect(one.stats).toMatchObject({ entries: 0, bytes: 0, evictions: 1 });
  });

  it('shares its counters across versions and releases its entries on close', async () => {
    const stats = new CacheStats('fake', 10, 1e6);
    const v1 = new CachedStore(fakeStore('v1', 0).store, { maxEntries: 10, stats });
    const v2 = new CachedStore(fakeStore('v2', 0).store, { maxEntries: 10, stats });
    await v1.get('a');
    await v1.get('a');
    await v2.get('a');
    await v2.get('b');
    expect(stats).toMatchObject({ hits: 1, misses: 3, entries: 3 });
    await v1.close();
    expect(stats.entries).toBe(2);
    expect(stats.bytes).toBe(v2.bytes);
    await v2.close();
    expect(stats).toMatchObject({ entries: 0, bytes: 0, hits: 1, misses: 3 });
  });

  it('answers a hit synchronously with cachedNow, and undefined when the store must be read', async () => {
    const f = fakeStore('v1', 0);
    const c = new CachedStore(f.store, { maxEntries: 2, ttlMs: 30 });
    expect(c.cachedNow('a')).toBeUndefined();
    const list = await c.get('a');
    expect(c.cachedNow('a')).toBe(list);
    await c.get('nobody');
    expect(c.cachedNow('nobody')).toBeNull(); // a cached miss is an answer
    expect(c.stats).toMatchObject({ hits: 2, misses: 2 });
    await c.get('b'); // evicts a (nobody was used last)
    expect(c.cachedNow('a')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 40));
    expect(c.cachedNow('b')).toBeUndefined(); // expired
    expect(c.size).toBe(1);
  });

  it('expires entries after the TTL and caches misses', async () => {
    const f = fakeStore('v1', 0);
    const c = new CachedStore(f.store, { ttlMs: 30 });
    expect(await c.get('nobody')).toBeNull();
    expect(await c.get('nobody')).toBeNull();
    expect(f.calls).toEqual(['nobody']);
    await new Promise((r) => setTimeout(r, 40));
    await c.get('nobody');
    expect(f.calls).toEqual(['nobody', 'nobody']);
  });

  it('does not cache errors: the next get asks the store again', async () => {
    const f = fakeStore();
    const c = new CachedStore(f.store);
    f.setFail(true);
    const both = await Promise.allSettled([c.get('a'), c.get('a')]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(f.calls).toEqual(['a']);
    f.setFail(false);
    expect(await c.get('a')).not.toBeNull();
    expect(f.calls).toEqual(['a', 'a']);
  });

  it('is per version: a store of the next version starts empty and never answers the old lists', async () => {
    const v1 = new CachedStore(fakeStore('v1').store);
    const v2 = new CachedStore(fakeStore('v2').store);
    expect((await v1.get('a'))!.modelVersion).toBe('v1');
    expect((await v2.get('a'))!.modelVersion).toBe('v2');
    const liar = fakeStore('v3');
    const wrong = new CachedStore({ ...liar.store, get: async () => ({ modelVersion: 'v2', items: Uint32Array.of(1), scores: Float32Array.of(1) }) });
    expect(await wrong.get('a')).toBeNull();
  });
});
