// Owns scoring a fitted model on the split, beside the popularity baseline: ranking metrics on
// each test user's top-k (training items excluded), and, for explicit ratings, rating metrics
// on the test pairs whose user and item were both seen in training (Spark's coldStartStrategy
// "drop").

import type { Dataset } from '../../data/index.js';
import type { Engine, FactorModel } from '../../engine/index.js';
import {
  evaluateRanking,
  evaluateRatings,
  itemDeciles,
  popularityRecommendations,
  predictionsFromTopKTable,
  rankingMetrics,
  ratingMetrics,
  userSegments,
  type ItemDecile,
  type UserSegment,
} from '../../eval/index.js';
import type { Progress } from './progress.js';
import { fittedFactors } from '../algorithms/als.js';
import type { FittedModel } from '../algorithms/types.js';

export interface Evaluation {
  metrics: Record<string, number>;
  baseline: Record<string, number>;
  /** Test users with at least one training interaction (the ones the model ranks for). */
  rankedUsers: number;
  /** Metrics by user history length and by item popularity decile, model and baseline (null without the baseline). */
  segments: Segments | null;
}

export interface Segments {
  users: { model: UserSegment[]; baseline: UserSegment[] };
  items: { model: ItemDecile[]; baseline: ItemDecile[] };
}

export async function evaluateModel(
  engine: Engine,
  fitted: FittedModel | FactorModel,
  train: Dataset,
  test: Dataset,
  o: { k: number; explicit: boolean; beyondAccuracy: 'all' | 'coverage' | 'none'; baseline?: boolean },
  progress: Progress,
): Promise<Evaluation> {
  const model = 'topK' in fitted ? fitted : fittedFactors(engine, fitted, !o.explicit);
  const inTrainUser = presence(train.users, model.nUsers);
  const inTrainItem = presence(train.items, model.nItems);
  const testUsers = uniqueWhere(test.users, model.nUsers, inTrainUser);

  const stage = progress.stage('top-k', testUsers.length, ' users');
  const top = await model.topK({ k: o.k, users: testUsers, exclude: train, onProgress: (d) => stage.update(d) });
  stage.done();
  const recs = predictionsFromTopKTable(testUsers, top.items, top.scores, o.k);
  const scoring = progress.stage('evaluate', null);
  const metrics = rankingMetrics(evaluateRanking(train, test, recs, o.k, { beyondAccuracy: o.beyondAccuracy }));
  const popular = popularityRecommendations(train, testUsers, o.k);
  const withBaseline = o.baseline !== false;
  const baseline = withBaseline ? rankingMetrics(evaluateRanking(train, test, popular, o.k, { beyondAccuracy: o.beyondAccuracy })) : {};
  const segments: Segments | null = withBaseline
    ? {
        users: { model: userSegments(train, test, recs, o.k), baseline: userSegments(train, test, popular, o.k) },
        items: { model: itemDeciles(train, test, recs, o.k), baseline: itemDeciles(train, test, popular, o.k) },
      }
    : null;
  if (o.explicit && model.predict) Object.assign(metrics, rating(model.predict, test, inTrainUser, inTrainItem));
  scoring.done();
  return { metrics, baseline, rankedUsers: testUsers.length, segments };
}

/** rmse, mae, rsquared, exp_var of the predicted ratings (ALS: x_u·y_i) on test pairs seen on both sides. */
function rating(predict: (user: number, item: number) => number, test: Dataset, inUser: Uint8Array, inItem: Uint8Array): Record<string, number> {
  let n = 0;
  for (let r = 0; r < test.length; r++) if (inUser[test.users[r]!] && inItem[test.items[r]!]) n++;
  const users = new Uint32Array(n);
  const items = new Uint32Array(n);
  const truth = new Float32Array(n);
  const scores = new Float32Array(n);
  let w = 0;
  for (let r = 0; r < test.length; r++) {
    const u = test.users[r]!;
    const i = test.items[r]!;
    if (!inUser[u] || !inItem[i]) continue;
    const s = predict(u, i);
    users[w] = u;
    items[w] = i;
    truth[w] = test.ratings[r]!;
    scores[w] = s;
    w++;
  }
  const m = evaluateRatings({ users, items, ratings: truth }, { users, items, scores });
  return ratingMetrics(m);
}

function presence(ids: Uint32Array, n: number): Uint8Array {
  const seen = new Uint8Array(n);
  for (let r = 0; r < ids.length; r++) seen[ids[r]!] = 1;
  return seen;
}

function uniqueWhere(ids: Uint32Array, n: number, keep: Uint8Array): Uint32Array {
  const seen = new Uint8Array(n);
  let count = 0;
  for (let r = 0; r < ids.length; r++) {
    const u = ids[r]!;
    if (keep[u] && !seen[u]) {
      seen[u] = 1;
      count++;
    }
  }
  const out = new Uint32Array(count);
  let w = 0;
  for (let u = 0; u < n; u++) if (seen[u]) out[w++] = u;
  return out;
}
