// Owns the simulator's world: a synthetic population from the engine's generator (latent taste
// clusters, Zipf item popularity), split per user into what the models train on and what each
// user would still interact with (the truth: ./simulate.ts's heldOutTruth), and the top-k lists
// of a good model (ALS at a sensible rank) and of a deliberately worse one (rank 1, one iteration),
// both leaving each user's training items out.

import type { Engine, Interactions, TopK } from '../../engine/types.js';
import { Rng } from '../../data/random.js';
import { heldOutTruth, type Truth } from './simulate.js';

export interface World {
  truth: Truth;
  good: TopK;
  worse: TopK;
  nUsers: number;
  nItems: number;
}

export async function simulationWorld(engine: Engine, o: { nUsers: number; nItems: number; nInteractions: number; seed: number; k?: number; base?: number; liked?: number }): Promise<World> {
  const d = await engine.generateSynthetic({ nUsers: o.nUsers, nItems: o.nItems, nInteractions: o.nInteractions, latentRank: 16, seed: o.seed, explicit: false });
  const rng = new Rng(o.seed + 1);
  const train: number[] = [];
  const test: number[] = [];
  for (let r = 0; r < d.users.length; r++) (rng.nextFloat() < 0.8 ? train : test).push(r);
  const pick = (rows: number[]): Interactions => ({
    nUsers: d.nUsers,
    nItems: d.nItems,
    users: Uint32Array.from(rows, (r) => d.users[r]!),
    items: Uint32Array.from(rows, (r) => d.items[r]!),
    values: Float32Array.from(rows, (r) => d.values[r]!),
  });
  const tr = pick(train);
  const te = pick(test);
  const k = o.k ?? 10;
  const good = await engine.fit(tr, { rank: 32, maxIter: 10, regParam: 0.1, implicitPrefs: true, alpha: 10, seed: 1 });
  const worse = await engine.fit(tr, { rank: 1, maxIter: 1, regParam: 0.1, implicitPrefs: true, alpha: 10, seed: 1 });
  return {
    truth: heldOutTruth(te, o.base ?? 0.02, o.liked ?? 0.3),
    good: await engine.topK(good, { k, exclude: tr }),
    worse: await engine.topK(worse, { k, exclude: tr }),
    nUsers: d.nUsers,
    nItems: d.nItems,
  };
}
