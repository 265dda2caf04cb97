// The packed fold-in batch: what goes in comes out, user by user in order (lists with or without a
// vector, no list, errors), each unpacked list as views of the one transferred buffer.

import { describe, expect, it } from 'vitest';
import { PackedBatchBuilder, unpackBatch, type PackedList } from './foldin-pack.js';

const list = (n: number, s: number, seed: number, v = 0): PackedList => ({
  items: Uint32Array.from({ length: n }, (_, i) => seed * 1000 + i),
  scores: Float32Array.from({ length: n }, (_, i) => seed + 1 / (i + 1)),
  seen: Uint32Array.from({ length: s }, (_, i) => seed * 7 + i),
  ...(v > 0 && { vector: Float32Array.from({ length: v }, (_, i) => seed - i / 8) }),
});

describe('packed fold-in batches', () => {
  it('round-trips lists, missing lists and errors in order, as views of the batch buffer', () => {
    const inputs: { userId: string; list: PackedList | null; seconds: number; error?: string }[] = [
      { userId: 'a', list: list(3, 2, 1), seconds: 0.001 },
      { userId: 'b', list: null, seconds: 0 },
      { userId: 'c', list: list(0, 4, 2), seconds: 0.002 },
      { userId: 'd', list: null, seconds: 0, error: 'no such thing' },
      { userId: 'e', list: list(100, 1, 3), seconds: 0.003 },
      { userId: 'f', list: list(2, 1, 4, 5), seconds: 0.004 },
    ];
    const b = new PackedBatchBuilder();
    for (const x of inputs) b.add(x.list, x.seconds, x.error);
    const packed = b.finish('v7');
    expect(packed.version).toBe('v7');
    expect(packed.data.byteLength).toBe(4 * (2 * 3 + 2 + 4 + 2 * 100 + 1 + 2 * 2 + 1 + 5));
    const users = inputs.map((x) => x.userId);
    const out = [...unpackBatch(structuredClone(packed, { transfer: [packed.data] }), users)];
    expect(out.map((o) => o.userId)).toEqual(inputs.map((x) => x.userId));
    out.forEach((o, i) => {
      const x = inputs[i]!;
      expect(o.seconds).toBe(x.seconds);
      expect(o.error).toBe(x.error);
      if (!x.list) return expect(o.list).toBeNull();
      expect([...o.list!.items]).toEqual([...x.list.items]);
      expect([...o.list!.scores]).toEqual([...x.list.scores]);
      expect([...o.list!.seen]).toEqual([...x.list.seen]);
      expect(o.list!.vector && [...o.list!.vector]).toEqual(x.list.vector && [...x.list.vector]);
    });
    expect(out[0]!.list!.items.buffer).toBe(out[2]!.list!.items.buffer);
    expect(() => [...unpackBatch(packed, users.slice(1))]).toThrow('fold-in batch: 6 outcomes for 5 users');
  });
});
