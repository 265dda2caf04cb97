// Owns the public surface of ts/eval: evaluation metrics defined as Microsoft Recommenders'
// python_evaluation, the popularity baseline, and input builders. Import from here.

export type { InteractionData, PredictionData, RecsData, TruthData } from './types.js';
export { interactionsFromRows, newIdMaps, predictionsFromRows, truthFromRows } from './ids.js';
export type { IdMaps, InteractionRow, RatingRow, RawId, ScoreRow } from './ids.js';
export { expVar, joinRatings, mae, rmse, rsquared } from './rating.js';
export { map, mapAtK, ndcgAtK, precisionAtK, rankingStats, recallAtK, rPrecisionAtK } from './ranking.js';
export type { NdcgDiscount, NdcgOptions, NdcgScoreType, RankingStats } from './ranking.js';
export { topKPerUser } from './topk.js';
export { EMPTY_SLOT, predictionsFromTopKTable } from './topk-table.js';
export { itemPopularity, popularityRecommendations } from './popularity.js';
export { assertNoTrainItems, indexTrain } from './train-index.js';
export type { TrainIndex } from './train-index.js';
export { catalogCoverage, distributionalCoverage, historicalItemNovelty, novelty } from './coverage.js';
export { diversity, serendipity, userDiversity, userItemSerendipity, userSerendipity } from './diversity.js';
export type { PerUser, PerUserItem } from './diversity.js';
export { cooccurrenceCost } from './cooccurrence.js';
export type { ProgressFn } from './cooccurrence.js';
export { evaluateRanking, evaluateRatings, rankingMetrics, ratingMetrics } from './report.js';
export type { RankingOptions, RankingReport, RatingReport } from './report.js';
export { HISTORY_BUCKETS, itemDeciles, userSegments } from './segments.js';
export type { ItemDecile, UserSegment } from './segments.js';
