// A disliked item is never recommended back to the user, on a real server: a precomputed user
// dislikes an item of their stored list and, once folded in, never gets it again; a weight ≤ 0 is a
// start-up error.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEEDBACK } from '../events/feedback.js';
import { startServer } from './server.js';
import { capturedLogger, fixtureRegistry, getJson } from './testing/fixtures.js';

describe('dislikes', () => {
  it('never recommends a disliked item back to the user (a precomputed user, then folded in)', async () => {
    const eventsDb = join(mkdtempSync(join(tmpdir(), 'recs-feedback-')), 'events.sqlite');
    const s = await startServer({ modelsDir: fixtureRegistry('v1').root, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventsDb });
    try {
      const ids = async (k: number) => (await getJson(`${s.url}/v1/users/u0/recommendations?k=${k}`)).body as { source: string; items: { itemId: string }[] };
      expect((await ids(3)).items.map((i) => i.itemId)).toContain('i1');
      await getJson(`${s.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ eventId: 'dis', userId: 'u0', itemId: 'i1', type: 'dislike' }) });
      let body = await ids(28);
      for (let i = 0; i < 300 && body.source !== 'foldin'; i++) await new Promise((r) => setTimeout(r, 10)), (body = await ids(28));
      expect(body.source).toBe('foldin');
      expect(body.items.map((i) => i.itemId)).not.toContain('i1');
      await expect(startServer({ modelsDir: fixtureRegistry('v1').root, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventsDb, eventWeights: { view: -1 } })).rejects.toThrow(
        'eventWeights: the weight of view must be a number > 0, got -1',
      );
    } finally {
      await s.close();
    }
  });

  it('with --negative-below, folds low ratings in as dislikes: no positive signal, so the list is all popularity', async () => {
    const source = async (negativeBelow: number | null) => {
      const eventsDb = join(mkdtempSync(join(tmpdir(), 'recs-feedback-')), 'events.sqlite');
      const feedback = { ...DEFAULT_FEEDBACK, negativeBelow };
      const s = await startServer({ modelsDir: fixtureRegistry('v1').root, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventsDb, feedback });
      try {
        const low = ['i1', 'i2'].map((itemId) => ({ eventId: `r-${itemId}`, userId: 'new', itemId, type: 'rating', value: 1 }));
        await getJson(`${s.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(low) });
        let body: { source: string; items: { itemId: string }[]; filledFromFallback: number } = { source: '', items: [], filledFromFallback: 0 };
        for (let i = 0; i < 100 && body.source !== 'foldin'; i++) {
          await new Promise((r) => setTimeout(r, 10));
          body = (await getJson(`${s.url}/v1/users/new/recommendations?k=5`)).body as typeof body;
        }
        expect(body.source).toBe('foldin');
        expect(body.items.map((i) => i.itemId)).not.toContain('i1'); // seen: never recommended back either way
        return body.filledFromFallback;
      } finally {
        await s.close();
      }
    };
    expect(await source(null)).toBe(0); // ratings of 1 are positive signals by default: a fold-in list
    expect(await source(2)).toBe(5); // below 2: dislikes, nothing positive to fold in: all 5 from popularity
  });
});
