// Owns the held-out metric per iteration of the evaluation fit: with each iteration's factors
// (FitOptions.withFactors) it ranks every unseen item for the test users and scores NDCG@k on
// the test split, and for explicit ALS the RMSE on the test pairs seen on both sides — the same
// definitions as the final evaluation, so the last point equals the table's value when no
// sampling was needed. Evaluations run one after another while the fit goes on; each snapshot is
// dropped once scored. Above `maxUsers` ranked users a fixed random sample is used (and said so).

import type { Dataset } from '../../data/index.js';
import { iota, Rng, shuffle } from '../../data/index.js';
import type { Engine, IterationReport } from '../../engine/index.js';
import { ndcgAtK, predictionsFromTopKTable } from '../../eval/index.js';

export interface HeldOutPoint {
  iteration: number;
  ndcg: number;
  rmse?: number;
}

export interface HeldOutCurveInfo {
  points: HeldOutPoint[];
  k: number;
  /** Test users scored at each iteration, and of how many ranked test users. */
  users: number;
  rankedUsers: number;
  /** False when the engine gave no factors per iteration (the WASM engine). */
  available: boolean;
}

export class HeldOutCurve {
  private readonly users: Uint32Array;
  private readonly rankedUsers: number;
  private readonly truth: { users: Uint32Array; items: Uint32Array };
  private readonly pairs: { users: Uint32Array; items: Uint32Array; ratings: Float32Array } | null;
  private chain: Promise<void> = Promise.resolve();
  private readonly points: HeldOutPoint[] = [];
  private error: unknown = null;

  constructor(
    private readonly engine: Engine,
    private readonly train: Dataset,
    test: Dataset,
    private readonly o: { k: number; explicit: boolean; maxUsers?: number; seed?: number },
  ) {
    const nUsers = train.userIds.length;
    const inTrain = new Uint8Array(nUsers);
    for (let r = 0; r < train.length; r++) inTrain[train.users[r]!] = 1;
    const inTest = new Uint8Array(nUsers);
    for (let r = 0; r < test.length; r++) if (inTrain[test.users[r]!]) inTest[test.users[r]!] = 1;
    let ranked = iota(nUsers).filter((u) => inTest[u] === 1);
    this.rankedUsers = ranked.length;
    const max = o.maxUsers ?? 2000;
    if (ranked.length > max) {
      shuffle(ranked, new Rng(o.seed ?? 7));
      ranked = ranked.slice(0, max).sort();
    }
    this.users = ranked;
    // Without sampling the truth is the whole test split (users without training rows score 0, as
    // in the final evaluation); with sampling, the sampled users' test rows.
    const keep = new Uint8Array(nUsers);
    for (const u of ranked) keep[u] = 1;
    const rows = ranked.length === this.rankedUsers ? iota(test.length) : iota(test.length).filter((r) => keep[test.users[r]!] === 1);
    this.truth = { users: rows.map((r) => test.users[r]!), items: rows.map((r) => test.items[r]!) };
    if (o.explicit) {
      const inItem = new Uint8Array(train.itemIds.length);
      for (let r = 0; r < train.length; r++) inItem[train.items[r]!] = 1;
      const seen = iota(test.length).filter((r) => inTrain[test.users[r]!] === 1 && inItem[test.items[r]!] === 1);
      const stride = Math.max(1, Math.ceil(seen.length / 200_000));
      const pick = seen.filter((_, j) => j % stride === 0);
      this.pairs = { users: pick.map((r) => test.users[r]!), items: pick.map((r) => test.items[r]!), ratings: Float32Array.from(pick, (r) => test.ratings[r]!) };
    } else this.pairs = null;
  }

  /** Call from FitOptions.onIteration; reports without factors are ignored. */
  observe(r: IterationReport): void {
    const { userFactors, itemFactors } = r;
    if (!userFactors || !itemFactors || this.users.length === 0) return;
    const rank = itemFactors.length / this.train.itemIds.length;
    this.chain = this.chain.then(async () => {
      if (this.error !== null) return;
      try {
        this.points.push(await this.score(r.iteration, rank, userFactors, itemFactors));
      } catch (e) {
        this.error = e;
      }
    });
  }

  async result(): Promise<HeldOutCurveInfo> {
    await this.chain;
    if (this.error !== null) throw this.error;
    return { points: this.points, k: this.o.k, users: this.users.length, rankedUsers: this.rankedUsers, available: this.points.length > 0 };
  }

  private async score(iteration: number, rank: number, userFactors: Float32Array, itemFactors: Float32Array): Promise<HeldOutPoint> {
    const { k } = this.o;
    const top = await this.engine.topK({ rank, userFactors, itemFactors }, { k, users: this.users, exclude: this.train });
    const point: HeldOutPoint = { iteration, ndcg: ndcgAtK(this.truth, predictionsFromTopKTable(this.users, top.items, top.scores, k), k) };
    if (this.pairs && this.pairs.users.length > 0) {
      const p = this.pairs;
      let se = 0;
      for (let j = 0; j < p.users.length; j++) {
        let s = 0;
        const uo = p.users[j]! * rank;
        const io = p.items[j]! * rank;
        for (let f = 0; f < rank; f++) s += userFactors[uo + f]! * itemFactors[io + f]!;
        se += (s - p.ratings[j]!) ** 2;
      }
      point.rmse = Math.sqrt(se / p.users.length);
    }
    return point;
  }
}
