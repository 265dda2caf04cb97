// Owns what each metric means in one line and which direction is better, for the report (names as
// the manifest writes them: precision@k, ndcg@k, map, map@k, rmse, …; Recommenders' definitions).

export interface MetricMeaning {
  better: 'higher' | 'lower';
  meaning: string;
}

const MEANINGS: Array<[RegExp, MetricMeaning]> = [
  [/^precision@/, { better: 'higher', meaning: 'share of the top-k recommendations the user interacted with in the test split' }],
  [/^recall@/, { better: 'higher', meaning: "share of the user's test interactions found in their top k" }],
  [/^ndcg@/, { better: 'higher', meaning: 'ranking quality of the top k: hits near the top count more; 1 = all test items first' }],
  [/^map@/, { better: 'higher', meaning: "mean average precision, each user's divided by min(test items, k) (Recommenders' map_at_k)" }],
  [/^map$/, { better: 'higher', meaning: "mean average precision divided by all the user's test items (Recommenders' map; published benchmarks' MAP)" }],
  [/^catalog_coverage$/, { better: 'higher', meaning: 'share of the catalogue that appears in some top-k list' }],
  [/^distributional_coverage$/, { better: 'higher', meaning: 'entropy (bits) of how recommendations spread over items; higher = less concentrated' }],
  [/^novelty$/, { better: 'higher', meaning: 'mean self-information (bits) of recommended items: higher = less popular items' }],
  [/^diversity$/, { better: 'higher', meaning: '1 − mean co-occurrence similarity between items of one list' }],
  [/^serendipity$/, { better: 'higher', meaning: "how unlike the user's history the recommendations are (1 − similarity), for relevant items" }],
  [/^rmse$/, { better: 'lower', meaning: 'root mean squared error of predicted ratings on test pairs seen in training' }],
  [/^mae$/, { better: 'lower', meaning: 'mean absolute error of predicted ratings' }],
  [/^rsquared$/, { better: 'higher', meaning: 'share of the rating variance the predictions explain (R²)' }],
  [/^exp_var$/, { better: 'higher', meaning: 'explained variance of the ratings' }],
];

export function metricMeaning(name: string): MetricMeaning | null {
  return MEANINGS.find(([re]) => re.test(name))?.[1] ?? null;
}
