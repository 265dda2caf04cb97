// The feedback flags of serve, train, tune and retrain: over the environment's defaults, precise
// usage errors for weights ≤ 0 and a half-life of 0, and --negative-below reaching the training data.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadEngine } from '../engine/index.js';
import { DEFAULT_WEIGHTS } from '../events/feedback.js';
import { prepareData } from '../model/pipeline/prepared-data.js';
import { silentProgress } from '../model/pipeline/progress.js';
import { trainOptionsOf } from './commands/train-options.js';
import { feedbackFromValues } from './feedback-options.js';
import { main } from './run.js';
import { capture } from './testing.js';

const DAY = 86_400_000;
afterEach(() => vi.restoreAllMocks());

describe('feedback flags', () => {
  it('lay themselves over the environment', () => {
    const env = { RECS_EVENT_WEIGHTS: 'view=0.25', RECS_EVENT_HALF_LIFE_DAYS: '7', RECS_NEGATIVE_BELOW: '1' };
    expect(feedbackFromValues({}, env)).toEqual({ weights: { ...DEFAULT_WEIGHTS, view: 0.25 }, halfLifeMs: 7 * DAY, negativeBelow: 1 });
    expect(feedbackFromValues({ 'event-weights': 'purchase=5', 'event-half-life-days': 30, 'negative-below': 2 }, env)).toEqual({
      weights: { ...DEFAULT_WEIGHTS, view: 0.25, purchase: 5 },
      halfLifeMs: 30 * DAY,
      negativeBelow: 2,
    });
    const o = trainOptionsOf(['--event-weights', 'view=0.1,like=4', '--negative-below', '2.5']);
    expect(o.eventFeedback).toMatchObject({ weights: { ...DEFAULT_WEIGHTS, view: 0.1, like: 4 }, negativeBelow: 2.5 });
  });

  it('refuse weights ≤ 0, unknown types and a half-life of 0, naming the flag, before any work', async () => {
    expect(() => trainOptionsOf(['--event-weights', 'view=0'])).toThrow('--event-weights: the weight of view must be a number > 0, got 0');
    expect(() => trainOptionsOf(['--event-weights', 'view=-1'])).toThrow('--event-weights: the weight of view must be a number > 0, got -1');
    expect(() => trainOptionsOf(['--event-weights', 'poke=1'])).toThrow('--event-weights: unknown event type "poke"');
    expect(() => trainOptionsOf(['--event-weights', 'view'])).toThrow('--event-weights: "view" is not type=weight');
    expect(() => trainOptionsOf(['--event-half-life-days', '0'])).toThrow('--event-half-life-days must be a number of days > 0 (leave it out for no decay), got 0');
    const c = capture();
    expect(await main(['serve', '--event-half-life-days', '-3', '--port', '0'])).toBe(2);
    expect(c.err()).toContain('--event-half-life-days must be a number of days > 0');
    expect(await main(['retrain', '--event-weights', 'click=0'])).toBe(2);
    expect(c.err()).toContain('--event-weights: the weight of click must be a number > 0, got 0');
  });

  it('--negative-below turns the source’s low ratings into dislikes (−the weight of dislike) in the prepared data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neg-'));
    const file = join(dir, 'r.csv');
    writeFileSync(file, 'user,item,rating\nu1,a,5\nu1,b,1\nu1,c,2\nu2,a,1.5\nu2,b,4\n');
    const engine = loadEngine();
    const base = trainOptionsOf(['--file', file, '--no-evaluate']);
    const plain = await prepareData(engine, base, silentProgress);
    const withNeg = await prepareData(engine, trainOptionsOf(['--file', file, '--no-evaluate', '--negative-below', '2', '--event-weights', 'dislike=1.5']), silentProgress);
    const rows = (d: typeof plain) => Array.from({ length: d.all.length }, (_, r) => `${d.all.userIds[d.all.users[r]!]} ${d.all.itemIds[d.all.items[r]!]} ${d.all.ratings[r]}`).sort();
    expect(rows(plain)).toEqual(['u1 a 5', 'u1 b 1', 'u1 c 2', 'u2 a 1.5', 'u2 b 4']);
    expect(rows(withNeg)).toEqual(['u1 a 5', 'u1 b -1.5', 'u1 c 2', 'u2 a -1.5', 'u2 b 4']);
    expect(withNeg.fingerprint).not.toBe(plain.fingerprint); // retrain sees other data
  });
});
