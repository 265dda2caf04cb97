// The simulator against the report and decision code: an A/B between a good and a deliberately
// worse model is concluded for the good one, and repeated A/A experiments (one model under two
// variant names, a new salt each time) find a significant difference at about the test's alpha.

import { describe, expect, it } from 'vitest';
import { loadEngine } from '../../engine/index.js';
import { winnerOf } from './conclude.js';
import { newExperiment, parseVariants } from './definition.js';
import { experimentReport } from './report.js';
import { simulate } from './simulate.js';
import { simulationWorld } from './world.js';

describe('experiment simulator', () => {
  it('the A/B picks the better model; A/A false positives stay near alpha', async () => {
    const world = await simulationWorld(loadEngine(), { nUsers: 1500, nItems: 800, nInteractions: 60_000, seed: 3 });
    const exp = (name: string, salt: string) =>
      newExperiment({ name, variants: parseVariants('control=v1:0.5,treatment=v2:0.5'), baselineRate: 0.05, mde: 0.01 }, ['v1', 'v2'], [], new Date(Date.UTC(2026, 0, 1)), salt);
    // A/B: control = the worse model, treatment = the good one
    const ab = { ...exp('ab', 'salt-ab'), plan: { ...exp('ab', 'x').plan, minImpressions: 5000 } };
    const sim = simulate(ab, [world.worse, world.good], world.truth, { sessions: 4, shown: 10, seed: 1 });
    const report = experimentReport(ab, sim.impressions, sim.events, { now: Date.UTC(2026, 0, 2) });
    expect(report.readable).toBe(true);
    expect(report.attribution.unknown + report.attribution.expired).toBe(0);
    expect(report.variants[1]!.ctr.rate).toBeGreaterThan(report.variants[0]!.ctr.rate);
    expect(winnerOf(ab, report)).toBe(1);
    // A/A: 200 salts
    let significant = 0;
    const runs = 200;
    for (let r = 0; r < runs; r++) {
      const aa = exp('aa', `aa-${r}`);
      const s = simulate(aa, [world.good, world.good], world.truth, { sessions: 2, shown: 10, seed: 100 + r, users: 600 });
      if (experimentReport(aa, s.impressions, s.events, { now: Date.UTC(2026, 0, 2) }).variants[1]!.vsControl!.ctr.significant) significant++;
    }
    // alpha 0.05: 10 of 200 expected; 3 sd of a binomial(200, 0.05) is ~9
    expect(significant / runs).toBeLessThan(0.05 + 3 * Math.sqrt((0.05 * 0.95) / runs));
  }, 120_000);
});
