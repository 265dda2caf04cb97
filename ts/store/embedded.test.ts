import { describe, expect, it } from 'vitest';
import { buildIdIndex, IdIndex } from './embedded-ids.js';
import { EmbeddedStore } from './embedded.js';
import { StoreError } from './types.js';

describe('IdIndex', () => {
  it('maps every id to its row and unknown ids to -1', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `user-${i * 7}`);
    const index = IdIndex.of(ids);
    expect(index.size).toBe(5000);
    for (let r = 0; r < ids.length; r++) expect(index.rowOf(ids[r]!)).toBe(r);
    for (const missing of ['user-1', 'user-', '', 'user-00', 'user-35000', 'x'.repeat(300)]) expect(index.rowOf(missing)).toBe(-1);
  });

  it('handles non-ASCII ids (UTF-8 bytes) and gives the ids back', () => {
    const ids = ['ü', 'u', 'Ωmega', '€5', '日本語', 'a\u0000b', '😀'];
    const index = IdIndex.of(ids);
    ids.forEach((id, r) => {
      expect(index.rowOf(id)).toBe(r);
      expect(index.idAt(r)).toBe(id);
    });
    expect(index.rowOf('日本')).toBe(-1);
    expect(index.rowOf('Ωmegа')).toBe(-1); // Cyrillic а
  });

  it('is plain transferable data that survives structured cloning', () => {
    const data = buildIdIndex(['a', 'b', 'c']);
    const index = new IdIndex(structuredClone(data));
    expect(index.rowOf('c')).toBe(2);
    expect(data.slots.length & (data.slots.length - 1)).toBe(0);
  });

  it('refuses duplicate ids, naming them', () => {
    expect(() => buildIdIndex(['a', 'b', 'a'], 'user id')).toThrow('duplicate user id "a" (rows 0 and 2)');
  });

  it('works when empty', () => {
    expect(IdIndex.of([]).rowOf('a')).toBe(-1);
  });
});

describe('EmbeddedStore', () => {
  const store = EmbeddedStore.fromArtifact({
    manifest: { version: 'v9' },
    userIds: ['alice', 'bob', 'carol'],
    topk: {
      depth: 3,
      items: Uint32Array.from([5, 2, 7, 1, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]),
      scores: Float32Array.from([0.9, 0.5, 0.1, 0.7, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity]),
    },
  });

  it('returns a user’s list by id or row, without empty slots', async () => {
    expect(store).toMatchObject({ kind: 'embedded', modelVersion: 'v9', depth: 3 });
    const a = (await store.get('alice'))!;
    expect(a.modelVersion).toBe('v9');
    expect(Array.from(a.items)).toEqual([5, 2, 7]);
    expect(Array.from(a.scores)).toEqual([0.9, 0.5, 0.1].map(Math.fround));
    expect(Array.from((await store.get(1))!.items)).toEqual([1]);
    expect((await store.get('carol'))!.items.length).toBe(0);
  });

  it('returns null for unknown users and bad rows', async () => {
    expect(await store.get('dave')).toBeNull();
    for (const row of [-1, 3, 1.5, NaN]) expect(await store.get(row)).toBeNull();
  });

  it('rejects with a StoreError once closed', async () => {
    const s = EmbeddedStore.fromArtifact({ manifest: { version: 'v1' }, userIds: ['a'], topk: { depth: 1, items: Uint32Array.of(0), scores: Float32Array.of(1) } });
    await s.close();
    await expect(s.get('a')).rejects.toBeInstanceOf(StoreError);
  });

  it('checks the table against users × depth', () => {
    expect(() => EmbeddedStore.fromArtifact({ manifest: { version: 'v1' }, userIds: ['a', 'b'], topk: { depth: 2, items: new Uint32Array(3), scores: new Float32Array(3) } })).toThrow(
      /does not match 2 users × depth 2/,
    );
  });
});

describe('EmbeddedStore erasure', () => {
  const store = () =>
    EmbeddedStore.fromArtifact({
      manifest: { version: 'v1' },
      userIds: ['a', 'b', 'c'],
      topk: { depth: 2, items: Uint32Array.from([1, 2, 3, 4, 5, 0xffffffff]), scores: Float32Array.from([0.9, 0.8, 0.7, 0.6, 0.5, -Infinity]) },
    });

  it('masks the erased row by id and by row, emptying it in place, and counts it once', async () => {
    const s = store();
    expect(await s.erase('b')).toEqual({ stored: 1, cached: 0 });
    expect(s.peek('b')).toBeNull();
    expect(s.peek(1)).toBeNull();
    expect(await s.get('b')).toBeNull();
    expect(Array.from(s.peek('a')!.items)).toEqual([1, 2]);
    expect(Array.from(s.peek('c')!.items)).toEqual([5]);
    expect(await s.erase('b')).toEqual({ stored: 0, cached: 0 });
    expect(await s.erase('nobody')).toEqual({ stored: 0, cached: 0 });
  });

  it('gives the row of a list exactly when peek gives the list (rowNow)', async () => {
    const s = store();
    expect(['a', 'b', 'c', 'nobody'].map((u) => s.rowNow(u))).toEqual([0, 1, 2, -1]);
    await s.erase('b');
    s.mask(['c']);
    for (const u of ['a', 'b', 'c', 'nobody']) expect(s.rowNow(u) >= 0, u).toBe(s.peek(u) !== null);
    await s.close();
    expect(() => s.rowNow('a')).toThrow(StoreError);
  });

  it('masks users given at load (erased before the model was made)', () => {
    const s = store();
    s.mask(['c', 'nobody']);
    expect(s.peek('c')).toBeNull();
    expect(s.peek('a')).not.toBeNull();
  });
});
