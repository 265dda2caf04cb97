import { describe, expect, it } from 'vitest';
import { interactionsFromRows, newIdMaps, predictionsFromRows, truthFromRows } from './ids.js';
import { precisionAtK } from './ranking.js';

describe('building columns from string-id rows', () => {
  it('shares indices across truth, predictions and train through the same maps', () => {
    const ids = newIdMaps();
    const truth = truthFromRows(
      [
        { user: 'alice', item: 'm1', rating: 4 },
        { user: 'bob', item: 'm2', rating: 3 },
      ],
      ids,
    );
    const preds = predictionsFromRows(
      [
        { user: 'bob', item: 'm2', score: 0.5 },
        { user: 'alice', item: 'm3', score: 0.1 },
      ],
      ids,
    );
    const train = interactionsFromRows(
      [
        { user: 42, item: 'm1' },
        { user: '42', item: 'm9' },
      ],
      ids,
    );
    expect(Array.from(truth.users)).toEqual([0, 1]);
    expect(Array.from(preds.users)).toEqual([1, 0]);
    expect(Array.from(preds.items)).toEqual([1, 2]);
    expect(Array.from(truth.ratings)).toEqual([4, 3]);
    expect(Array.from(train.users)).toEqual([2, 2]); // numeric 42 and "42" are one id
    expect(ids.items.idOf(3)).toBe('m9');
    expect(precisionAtK(truth, preds, 1)).toBe(0.5);
  });
});
