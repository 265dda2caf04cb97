// Owns what the rating-file parser (./delimited.ts) and its per-format record handlers (./jsonl.ts
// and the delimited handler) share: the parse options, the missing-field counts and the state of
// one parse. A file of its own so the handlers depend on it, not on the parser that calls them.

import type { ResolvedColumns, ColumnSpec } from './columns.js';
import type { DatasetBuilder } from './dataset.js';
import type { BadLineTracker } from './errors.js';
import type { Format } from './format.js';
import type { IdMap } from './id-map.js';
import type { TextEncoding } from './numbers.js';

export interface ParseProgress {
  bytes: number;
  totalBytes: number | undefined;
  rows: number;
}

export interface ParseOptions {
  /** Default: sniffed from the first lines (the extension only breaks ties). */
  format?: Format;
  /** Field separator overriding the sniffed or format's one (e.g. "|", ";", "\t"). */
  delimiter?: string;
  /** CSV double-quote rules; default true for "csv" / "," and false otherwise. */
  quotes?: boolean;
  /** Default 'auto': a first line with column names or non-numeric rating/timestamp is a header. */
  header?: boolean | 'auto';
  columns?: ColumnSpec;
  /** Count and skip malformed lines instead of throwing (default false). */
  skipBadLines?: boolean;
  /** How many bad lines to keep as examples when skipping (default 5). */
  maxBadLineExamples?: number;
  /** Rating given to rows when there is no rating column (default 1). */
  implicitRating?: number;
  /** Encoding of non-numeric ids (default utf8; MovieLens .dat/u.item metadata is latin1). */
  encoding?: TextEncoding;
  /** Share id maps across files (e.g. train and test files). */
  userMap?: IdMap;
  itemMap?: IdMap;
  onProgress?: (p: ParseProgress) => void;
  chunkSize?: number;
  /** Single-pass parsing of plain numeric lines (default true; false forces the general path, for tests). */
  fastPath?: boolean;
}

export interface MissingCounts {
  rating: number;
  timestamp: number;
}

/** Shared state between the orchestration and the per-format record handlers. */
export interface ParseContext {
  readonly source: string;
  readonly opts: ParseOptions;
  readonly builder: DatasetBuilder;
  readonly bad: BadLineTracker;
  header: string[] | null;
  columns: ResolvedColumns | null;
  blankLines: number;
  missing: MissingCounts;
}
