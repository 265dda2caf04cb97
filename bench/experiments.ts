// `pnpm bench:experiments`: the online-experiment simulator (ts/model/experiments/simulate.ts).
// A synthetic population (the engine's generator: latent taste clusters; each user's held-out
// interactions are the items they click with probability --liked, any other item --base) is shown
// its variant's top-10 through the experiment's salted-hash assignment and clicks on what it is
// shown. It calls the same assignment, report and decision code as the server and
// `recs experiments report|conclude`, in process (not over HTTP). Printed: the A/B between a good
// ALS model (treatment) and a deliberately worse one (control: rank 1, one iteration) — each variant's CTR with its
// 95 % interval, the difference, p, and which variant conclude picks — then --aa A/A experiments
// (one model under two names, a new salt each) and the share found significant (the test's
// false-positive rate; alpha 0.05), with its 95 % interval.
//
//   pnpm bench:experiments [--users 3000] [--items 1500] [--sessions 4] [--aa 400] [--seed 7]

import { parseArgs } from 'node:util';
import { loadEngine } from '../ts/engine/index.js';
import { formatP, wilson } from '../ts/eval/ab-test.js';
import { winnerOf } from '../ts/model/experiments/conclude.js';
import { newExperiment, parseVariants } from '../ts/model/experiments/definition.js';
import { experimentReport } from '../ts/model/experiments/report.js';
import { simulate } from '../ts/model/experiments/simulate.js';
import { simulationWorld } from '../ts/model/experiments/world.js';

const { values: v } = parseArgs({
  options: {
    users: { type: 'string' },
    items: { type: 'string' },
    sessions: { type: 'string' },
    aa: { type: 'string' },
    seed: { type: 'string' },
    base: { type: 'string' },
    liked: { type: 'string' },
  },
});
const nUsers = Number(v.users ?? 3000);
const nItems = Number(v.items ?? 1500);
const sessions = Number(v.sessions ?? 4);
const aaRuns = Number(v.aa ?? 400);
const seed = Number(v.seed ?? 7);
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

const started = performance.now();
const world = await simulationWorld(loadEngine(), { nUsers, nItems, nInteractions: nUsers * 40, seed, base: Number(v.base ?? 0.02), liked: Number(v.liked ?? 0.3) });
console.log(`world: ${world.nUsers} users × ${world.nItems} items (synthetic, seed ${seed}); models trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);
const now = Date.UTC(2026, 0, 2);
const experiment = (name: string, salt: string) =>
  newExperiment({ name, variants: parseVariants('control=vworse:0.5,treatment=vgood:0.5'), baselineRate: 0.05, mde: 0.01 }, ['vgood', 'vworse'], [], new Date(Date.UTC(2026, 0, 1)), salt);

const ab = experiment('ab', `ab-${seed}`);
const sim = simulate(ab, [world.worse, world.good], world.truth, { sessions, shown: 10, seed });
const report = experimentReport(ab, sim.impressions, sim.events, { now });
console.log(
  `\nA/B: control = the worse model, treatment = the good model; ${sim.impressions.length} impressions, planned sample ${ab.plan.minImpressions} per variant (${report.readable ? 'reached' : 'NOT reached'})`,
);
for (const x of report.variants)
  console.log(
    `  ${x.name.padEnd(10)} ${x.version.padEnd(7)} users ${String(x.users).padStart(5)}  impressions ${String(x.impressions).padStart(7)}  CTR ${pct(x.ctr.rate)} (95 % CI ${pct(x.ctr.low)}–${pct(x.ctr.high)})`,
  );
const d = report.variants[1]!.vsControl!.ctr;
console.log(`  treatment − control: ${pct(d.difference)} (${pct(d.low)} to ${pct(d.high)}), z ${d.z.toFixed(2)}, p ${formatP(d.pValue)}`);
let picked: string;
try {
  const w = winnerOf(ab, report);
  picked = w === null ? `the control (${report.variants[0]!.version}) is kept` : `${report.variants[w]!.name} (${report.variants[w]!.version}) is promoted`;
} catch (e) {
  picked = `refused: ${(e as Error).message}`;
}
console.log(`  conclude: ${picked} — the better model is vgood`);

let significant = 0;
const t0 = performance.now();
for (let r = 0; r < aaRuns; r++) {
  const aa = experiment('aa', `aa-${seed}-${r}`);
  const s = simulate(aa, [world.good, world.good], world.truth, { sessions: 2, shown: 10, seed: seed * 1000 + r, users: Math.min(nUsers, 1000) });
  if (experimentReport(aa, s.impressions, s.events, { now }).variants[1]!.vsControl!.ctr.significant) significant++;
}
const fpr = wilson(significant, aaRuns);
console.log(
  `\nA/A: ${aaRuns} experiments (good model under both names, a new salt each, ${Math.min(nUsers, 1000)} users × 2 visits): ${significant} significant at alpha 0.05 → false-positive rate ${pct(fpr.rate)} (95 % CI ${pct(fpr.low)}–${pct(fpr.high)}; ${fpr.low <= 0.05 ? 'consistent with' : 'ABOVE'} the 5 % a correct test makes); ${pct(1 - fpr.rate)} found no difference (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
);
