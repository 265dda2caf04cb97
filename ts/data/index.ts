// Owns the public surface of ts/data: loading rating data, preparing it, and splitting it.

export { IdMap } from './id-map.js';
export { DatasetBuilder, datasetFromRows, makeDataset, takeRows, type Dataset, type DatasetColumns } from './dataset.js';
export { parseRatings, parseRatingsFile, type Format, type MissingCounts, type ParseOptions, type ParseProgress, type ParseResult } from './delimited.js';
export { detectLayout, parseDelimiterName, type Layout } from './format.js';
export { looksLikeLists, parseListsFile } from './lists.js';
export { describeColumns, parseColumnSpec, type ColumnRef, type ColumnSpec, type ResolvedColumns } from './columns.js';
export { BadLineTracker, DataFormatError, type BadLine, type BadLineSummary } from './errors.js';
export { bytesSource, fileSource, type ByteSource } from './read-file.js';
export { readRecords, type RecordsOptions, type TextRecord } from './records.js';
export { ChecksumError, DownloadError, ensureCachedFile, hashFile, type CachedFile, type CachedFileOptions, type DownloadProgress } from './download.js';
export { findEntry, listZip, readZipEntry, zipEntrySource, type ZipEntry } from './zip.js';
export {
  loadMovieLens,
  loadMovieLensDir,
  movieLensCacheDir,
  movieLensName,
  movieLensUrl,
  MOVIELENS_BASE_URL,
  MOVIELENS_SIZES,
  type MovieLensData,
  type MovieLensOptions,
  type MovieLensSize,
} from './movielens.js';
export { ML100K_GENRES, parseMoviesCsv, parseMoviesDat, parseUItem, type Movie, type MovieCatalog } from './movielens-items.js';
export { dedupeRows, kCoreRows, minCountRows, prepare, reindex, type MinCounts, type PrepareOptions, type PrepareStats } from './prepare.js';
export {
  chronoSplit,
  processSplitRatio,
  randomSplit,
  roundHalfEven,
  splitDatasets,
  stratifiedSplit,
  type GroupSplitOptions,
  type RandomSplitOptions,
  type SplitRatio,
  type StratifiedSplitOptions,
} from './split.js';
export { iota, Rng, shuffle } from './random.js';
export { countBy, groupRows, type Groups } from './group.js';
