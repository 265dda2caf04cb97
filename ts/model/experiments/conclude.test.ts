// The decision of `recs experiments conclude` on registries of small hand-written artifacts: keep
// the control without a significant gain, refuse a winner the offline gate refuses (recorded in
// the history with the online result), and never promote the popularity baseline.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Impression } from '../../events/impressions.js';
import type { TrackedEvent } from '../../events/types.js';
import { writeTiny } from '../lifecycle/testing.js';
import { LocalRegistry } from '../registry.js';
import { Assigner } from './assign.js';
import { conclude } from './conclude.js';
import { newExperiment, parseVariants, type Experiment } from './definition.js';
import { experimentReport } from './report.js';

const T = Date.UTC(2026, 0, 1);

/** Users clicking the first of two shown items with their variant's rate (deterministically: every 1/rate-th user). */
function observed(e: Experiment, rates: number[], users = 2000) {
  const a = new Assigner(e);
  const impressions: Impression[] = [];
  const events: TrackedEvent[] = [];
  const seen = rates.map(() => 0);
  for (let u = 0; u < users; u++) {
    const userId = `u${u}`;
    const v = a.variantIndex(userId);
    const rec = u.toString(16).padStart(32, '0');
    for (const position of [0, 1]) impressions.push({ recommendationId: rec, userId, itemId: `i${position}`, position, shownAt: T + 1000, receivedAt: T + 1000 });
    seen[v]!++;
    if (Math.floor(seen[v]! * rates[v]!) > Math.floor((seen[v]! - 1) * rates[v]!))
      events.push({ eventId: `e${u}`, userId, itemId: 'i0', type: 'click', value: 1, timestamp: T + 2000, receivedAt: T + 2000, recommendationId: rec, position: 0 });
  }
  return experimentReport(e, impressions, events, { now: T + 3_600_000 });
}

function setup(variants: string, ndcg2 = 0.42) {
  const reg = new LocalRegistry(mkdtempSync(join(tmpdir(), 'conclude-')));
  writeTiny(reg, 'v1', { metrics: { 'ndcg@10': 0.4 } });
  writeTiny(reg, 'v2', { metrics: { 'ndcg@10': ndcg2 } });
  reg.activate('v1');
  const e = newExperiment({ name: 'e', variants: parseVariants(variants), baselineRate: 0.3, mde: 0.2 }, ['v1', 'v2'], [], new Date(T), 's');
  return { reg, e };
}

describe('conclude', () => {
  it('keeps the control when no treatment is significantly better', () => {
    const { reg, e } = setup('control=v1:0.5,treatment=v2:0.5');
    const out = conclude(e, observed(e, [0.3, 0.3]), reg);
    expect(out).toMatchObject({ winner: null, promoted: false, reason: expect.stringMatching(/no treatment beat the control control significantly/) });
    expect(reg.activeVersion()).toBe('v1');
  });

  it('records a gate refusal of the online winner with the online result, and --force promotes it', () => {
    const { reg, e } = setup('control=v1:0.5,treatment=v2:0.5', 0.2);
    const report = observed(e, [0.1, 0.5]);
    const out = conclude(e, report, reg);
    expect(out).toMatchObject({ winner: null, promoted: false, reason: expect.stringMatching(/treatment won online but the gate refused v2/) });
    expect(reg.history().at(-1)).toMatchObject({
      action: 'refuse',
      version: 'v2',
      reason: expect.stringMatching(/does not beat the popularity baseline.*; online: experiment e, treatment \(v2\).*p < 0\.0001/),
    });
    expect(reg.activeVersion()).toBe('v1');
    expect(conclude(e, report, reg, { force: true })).toMatchObject({ winner: 'treatment', promoted: true });
    expect(reg.activeVersion()).toBe('v2');
  });

  it('never promotes the popularity baseline, even when it wins', () => {
    const { reg, e } = setup('control=v1:0.5,pop=popularity:0.5');
    expect(conclude(e, observed(e, [0.1, 0.5]), reg)).toMatchObject({ winner: null, promoted: false, reason: expect.stringMatching(/the popularity baseline won/) });
    expect(reg.activeVersion()).toBe('v1');
  });
});
