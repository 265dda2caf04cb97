// Tests the cache in front of a store: bounded size (LRU), TTL, coalescing and per-version keys.

import { describe, expect, it } from 'vitest';
import { CachedStore } from './cached.js';
import { StoreError, type RecommendationStore, type UserList } from './types.js';

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
      return { modelVersion: version, items: Uint32Array.of(calls.length), scores: Float32Array.of(1) } satisfies UserList;
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
    expect(c.hits).toBe(50);
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
