// Owns turning a dataset source into ratings and item metadata: MovieLens (downloaded and cached,
// or a local folder), a generic CSV/TSV/JSONL file, or the built-in synthetic set.

import {
  DatasetBuilder,
  describeColumns,
  IdMap,
  loadMovieLens,
  loadMovieLensDir,
  parseMoviesCsv,
  parseMoviesDat,
  parseRatingsFile,
  type Dataset,
  type MovieCatalog,
  type ParseResult,
} from '../../data/index.js';
import { readFileSync } from 'node:fs';
import type { Engine } from '../../engine/index.js';
import type { ItemMetadata } from '../artifact.js';
import type { DatasetSource } from './options.js';
import type { Progress } from './progress.js';

export interface LoadedData {
  ratings: Dataset;
  catalog: MovieCatalog | null;
  description: string;
  badLines: number;
  /** The given test file's rows (fixed-split protocol), sharing `ratings`' id maps. */
  test?: Dataset;
  /** Rows whose rating was empty (NaN until the pipeline decides what they mean). */
  missingRatings?: number;
  /** How the file's columns were read, e.g. "user=userID (1), item=artistID (2), rating=weight (3)". */
  columns?: string;
}

const SYNTHETIC = {
  small: { nUsers: 2_000, nItems: 1_500, nInteractions: 120_000, latentRank: 16 },
  'ml-1m': { preset: 'ml-1m' as const },
  'ml-25m': { preset: 'ml-25m' as const },
};

export async function loadSource(src: DatasetSource, engine: Engine, o: { cacheDir?: string; offline: boolean; skipBadLines: boolean }, progress: Progress): Promise<LoadedData> {
  if (src.kind === 'synthetic') {
    const stage = progress.stage('generate', null);
    const d = await engine.generateSynthetic({ ...SYNTHETIC[src.preset], explicit: true, seed: src.seed });
    const b = new DatasetBuilder({ capacity: d.users.length });
    for (let u = 0; u < d.nUsers; u++) b.userMap.intern(String(u + 1));
    for (let i = 0; i < d.nItems; i++) b.itemMap.intern(String(i + 1));
    for (let r = 0; r < d.users.length; r++) b.push(d.users[r]!, d.items[r]!, d.values[r]!, d.timestamps[r]!);
    stage.done(`${d.users.length} ratings`);
    return { ratings: b.build(), catalog: null, description: `synthetic-${src.preset} (seed ${src.seed})`, badLines: 0 };
  }
  if (src.kind === 'movielens') {
    const download = progress.stage('download', null, 'B');
    const parse = progress.stage('parse', null, ' rows');
    const common = {
      skipBadLines: o.skipBadLines,
      onParseProgress: (p: { rows: number }) => parse.update(p.rows),
    };
    const ml = src.dir
      ? await loadMovieLensDir(src.dir, common)
      : await loadMovieLens(src.size, {
          ...common,
          ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
          offline: o.offline,
          onDownloadProgress: (p) => download.update(p.bytes),
        });
    parse.done(`${ml.ratings.length} ratings from ${ml.source}`);
    return { ratings: ml.ratings, catalog: ml.movies, description: ml.name, badLines: ml.parse.badLines.count };
  }
  const userMap = new IdMap();
  const itemMap = new IdMap();
  const read = async (path: string): Promise<ParseResult> => {
    const parse = progress.stage('parse', null, ' rows');
    const r = await parseRatingsFile(path, {
      skipBadLines: o.skipBadLines,
      userMap,
      itemMap,
      ...(src.delimiter !== undefined ? { delimiter: src.delimiter } : {}),
      ...(src.columns !== undefined ? { columns: src.columns } : {}),
      onProgress: (p) => parse.update(p.rows),
    });
    const cols = r.columns ? `; ${describeColumns(r.columns, r.header)}` : '';
    const missing = r.missing.rating || r.missing.timestamp ? `; empty: ${r.missing.rating} ratings, ${r.missing.timestamp} timestamps` : '';
    parse.done(`${r.rows} rows from ${path} (${r.format === 'jsonl' ? 'JSON lines' : `separator ${JSON.stringify(r.delimiter)}`}${cols}${missing})`);
    return r;
  };
  const r = await read(src.path);
  const t = src.testPath === undefined ? null : await read(src.testPath);
  let catalog: MovieCatalog | null = null;
  if (src.itemsPath) {
    const bytes = readFileSync(src.itemsPath);
    catalog = await (src.itemsPath.endsWith('.csv') ? parseMoviesCsv(src.itemsPath, bytes) : parseMoviesDat(src.itemsPath, bytes));
  }
  return {
    ratings: r.dataset,
    catalog,
    description: t ? `${src.path} + test ${src.testPath}` : src.path,
    badLines: r.badLines.count + (t?.badLines.count ?? 0),
    ...(t ? { test: t.dataset } : {}),
    missingRatings: r.missing.rating + (t?.missing.rating ?? 0),
    ...(r.columns ? { columns: describeColumns(r.columns, r.header) } : {}),
  };
}

/** Titles and genres per item index, from a catalogue keyed by the original item id. */
export function itemMetadata(itemIds: readonly string[], catalog: MovieCatalog | null): ItemMetadata | null {
  if (!catalog) return null;
  return {
    titles: itemIds.map((id) => catalog.byId.get(id)?.title ?? null),
    genres: itemIds.map((id) => catalog.byId.get(id)?.genres ?? []),
  };
}
