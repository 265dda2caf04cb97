import { describe, expect, it } from 'vitest';
import { EMPTY_SLOT, predictionsFromTopKTable } from './topk-table.js';

describe('predictionsFromTopKTable', () => {
  it('keeps slot order and drops empty slots', () => {
    const items = Uint32Array.of(7, 2, EMPTY_SLOT, EMPTY_SLOT, EMPTY_SLOT, EMPTY_SLOT, 5, 1, 3);
    const scores = Float32Array.of(0.9, 0.5, 0, 0, 0, 0, 2, 1, -1);
    const p = predictionsFromTopKTable(Uint32Array.of(4, 0, 8), items, scores, 3);
    expect(Array.from(p.users)).toEqual([4, 4, 8, 8, 8]);
    expect(Array.from(p.items)).toEqual([7, 2, 5, 1, 3]);
    expect(Array.from(p.scores)).toEqual([Math.fround(0.9), 0.5, 2, 1, -1]);
  });
  it('checks the table shape', () => {
    expect(() => predictionsFromTopKTable([0, 1], new Uint32Array(5), new Float32Array(6), 3)).toThrow(/needs 6 slots/);
    expect(() => predictionsFromTopKTable([0], new Uint32Array(0), new Float32Array(0), 0)).toThrow(/positive integer/);
  });
});
