// A batch of fold-ins: with the native engine the batch goes to the engine in one call
// (recommendMany); every user's outcome is the one a per-user fold-in (foldInUser, one engine call
// each) gives: lists, seen rows, vectors, users with no known item, with only negative signal,
// and a user whose events cannot be read (their error, the others unharmed).

import { describe, expect, it } from 'vitest';
import { loadEngine } from '../engine/index.js';
import { foldInUser } from '../events/foldin.js';
import { DEFAULT_FEEDBACK } from '../events/feedback.js';
import type { FoldInEvent } from '../events/types.js';
import { buildIdIndex, IdIndex } from '../store/embedded-ids.js';
import { FoldInComputer } from './foldin-compute.js';
import { unpackBatch } from './foldin-pack.js';

const rank = 4;
const nItems = 50;
const itemIds = Array.from({ length: nItems }, (_, i) => `i${i}`);
const itemFactors = Float32Array.from({ length: nItems * rank }, (_, n) => Math.sin(n * 1.7) + 0.3 * Math.cos(n * 0.3));
const now = Date.now();
const ev = (userId: string, itemId: string, type: FoldInEvent['type'], value: number, at = 0): FoldInEvent => ({
  eventId: `${userId}-${itemId}-${at}`,
  userId,
  itemId,
  type,
  value,
  timestamp: now - at,
});

describe('FoldInComputer', () => {
  it('folds a batch in as one user at a time would', () => {
    const c = new FoldInComputer(10, DEFAULT_FEEDBACK);
    const params = { rank, regParam: 0.1, implicitPrefs: true, alpha: 10 };
    c.setModel({ version: 'v1', rank, itemFactors, itemWeights: null, params, items: buildIdIndex(itemIds) });
    const events: Record<string, FoldInEvent[]> = {
      a: [ev('a', 'i3', 'like', 1), ev('a', 'i7', 'click', 1, 5)],
      b: [ev('b', 'i40', 'purchase', 1)],
      unknown: [ev('unknown', 'nope', 'like', 1)],
      negative: [ev('negative', 'i2', 'dislike', -1)],
      broken: [],
      c: [ev('c', 'i3', 'rating', 5, 9), ev('c', 'i3', 'rating', 1), ev('c', 'i11', 'view', 2)],
    };
    const users = Object.keys(events);
    const got = [
      ...unpackBatch(
        c.run(users, (u) => (u === 'broken' ? fail() : events[u]!)),
        users,
      ),
    ];
    const fold = loadEngine().createFoldIn({ rank, itemFactors }, params);
    const items = new IdIndex(buildIdIndex(itemIds));
    expect(got.map((o) => o.userId)).toEqual(users);
    for (const o of got) {
      if (o.userId === 'broken') {
        expect([o.list, o.error]).toEqual([null, 'unreadable']);
        continue;
      }
      const want = foldInUser(fold, events[o.userId]!, (id) => items.rowOf(id), 10, DEFAULT_FEEDBACK, now);
      if (!want) expect(o.list).toBeNull();
      else
        expect({ items: [...o.list!.items], scores: [...o.list!.scores], seen: [...o.list!.seen], vector: o.list!.vector && [...o.list!.vector] }).toEqual({
          items: [...want.items],
          scores: [...want.scores],
          seen: [...want.seen],
          vector: want.vector && [...want.vector],
        });
    }
    expect(got.find((o) => o.userId === 'negative')!.list!.items).toHaveLength(0);
    expect(got.find((o) => o.userId === 'a')!.list!.items).toHaveLength(10);
  });
});

function fail(): never {
  throw new Error('unreadable');
}
