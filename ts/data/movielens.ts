// Owns loading MovieLens: download + verify + cache the GroupLens zip, then parse ratings and
// movie metadata straight from the zip (streamed, nothing extracted), or from an unzipped folder.
//
// Cache: opts.cacheDir, else $RECS_CACHE_DIR, else ~/.cache/realtime-recs/movielens; it holds
// ml-<size>.zip and its .sha256 sidecar (see download.ts for how checksums are checked).

import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from './dataset.js';
import { parseRatings, type Format, type ParseProgress, type ParseResult } from './delimited.js';
import { ensureCachedFile, type DownloadProgress } from './download.js';
import { parseMoviesCsv, parseMoviesDat, parseUItem, type MovieCatalog } from './movielens-items.js';
import { fileSource, type ByteSource } from './read-file.js';
import { findEntry, listZip, readZipEntry, zipEntrySource } from './zip.js';

export type MovieLensSize = '100k' | '1m' | '10m' | '20m' | '25m' | '32m' | 'latest-small';
export const MOVIELENS_SIZES: readonly MovieLensSize[] = ['100k', '1m', '10m', '20m', '25m', '32m', 'latest-small'];
export const MOVIELENS_BASE_URL = 'https://files.grouplens.org/datasets/movielens';

/** Published checksums (GroupLens publishes an md5 for ml-100k.zip only). */
const PUBLISHED_MD5: Partial<Record<MovieLensSize, string>> = { '100k': '0e33842e24a9c977be4e0107933c0723' };

/** Rating files by name, in the order they are looked for, with how to read them. */
const RATING_FILES: readonly { file: string; format: Format; header: boolean }[] = [
  { file: 'u.data', format: 'tsv', header: false }, // 100k: user item rating timestamp
  { file: 'ratings.dat', format: 'dat', header: false }, // 1m, 10m: user::item::rating::timestamp
  { file: 'ratings.csv', format: 'csv', header: true }, // 20m, 25m, 32m, latest-small
];

export interface MovieLensOptions {
  cacheDir?: string;
  /** Mirror or test server instead of files.grouplens.org. */
  baseUrl?: string;
  /** Use only the cache; never download. */
  offline?: boolean;
  /** Load titles and genres too (default true). */
  movies?: boolean;
  skipBadLines?: boolean;
  onDownloadProgress?: (p: DownloadProgress) => void;
  onParseProgress?: (p: ParseProgress) => void;
}

export interface MovieLensData {
  /** "ml-100k", … */
  name: string;
  ratings: Dataset;
  movies: MovieCatalog | null;
  /** The rating file's parse summary (bad/blank lines, header, columns). */
  parse: Omit<ParseResult, 'dataset'>;
  /** The zip or folder it was read from. */
  source: string;
}

export function movieLensName(size: MovieLensSize): string {
  if (!MOVIELENS_SIZES.includes(size)) throw new Error(`unknown MovieLens size "${size}"; one of ${MOVIELENS_SIZES.join(', ')}`);
  return `ml-${size}`;
}

export function movieLensUrl(size: MovieLensSize, baseUrl = MOVIELENS_BASE_URL): string {
  return `${baseUrl.replace(/\/+$/, '')}/${movieLensName(size)}.zip`;
}

export function movieLensCacheDir(cacheDir?: string): string {
  return cacheDir ?? (process.env['RECS_CACHE_DIR'] || join(homedir(), '.cache', 'realtime-recs', 'movielens'));
}

/** Download (or reuse the verified cached) ml-<size>.zip and parse it. */
export async function loadMovieLens(size: MovieLensSize, opts: MovieLensOptions = {}): Promise<MovieLensData> {
  const name = movieLensName(size);
  const zipPath = join(movieLensCacheDir(opts.cacheDir), `${name}.zip`);
  const md5 = PUBLISHED_MD5[size];
  await ensureCachedFile({
    url: movieLensUrl(size, opts.baseUrl),
    path: zipPath,
    ...(md5 ? { md5 } : {}),
    offline: opts.offline ?? false,
    label: `MovieLens ${name}`,
    localHint: `load an unzipped copy with \`recs train --data-dir DIR\` (loadMovieLensDir(dir) in code), e.g. --data-dir ../shared/datasets/${name}`,
    ...(opts.onDownloadProgress ? { onProgress: opts.onDownloadProgress } : {}),
  });
  const entries = await listZip(zipPath);
  const open = (file: string): ByteSource | null => {
    const e = findEntry(entries, file);
    return e ? zipEntrySource(zipPath, e) : null;
  };
  const bytes = async (file: string): Promise<NamedBytes | null> => {
    const e = findEntry(entries, file);
    return e ? { name: `${zipPath}:${e.name}`, data: await readZipEntry(zipPath, e) } : null;
  };
  return loadFrom(name, zipPath, open, bytes, opts);
}

/** Parse an unzipped MovieLens folder (u.data / ratings.dat / ratings.csv + metadata files). */
export async function loadMovieLensDir(dir: string, opts: Omit<MovieLensOptions, 'cacheDir' | 'baseUrl' | 'offline' | 'onDownloadProgress'> = {}): Promise<MovieLensData> {
  const present = async (file: string): Promise<string | null> => {
    const p = join(dir, file);
    return (await stat(p).then(
      (s) => s.isFile(),
      () => false,
    ))
      ? p
      : null;
  };
  const paths = new Map<string, string | null>();
  for (const f of [...RATING_FILES.map((r) => r.file), 'u.item', 'u.genre', 'movies.dat', 'movies.csv']) paths.set(f, await present(f));
  const name =
    dir
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? dir;
  const sources = new Map<string, ByteSource>();
  for (const [f, p] of paths) if (p) sources.set(f, await fileSource(p));
  return loadFrom(
    name,
    dir,
    (f) => sources.get(f) ?? null,
    async (f) => {
      const p = paths.get(f);
      return p ? { name: p, data: await readFile(p) } : null;
    },
    opts,
  );
}

async function loadFrom(name: string, where: string, open: (file: string) => ByteSource | null, bytes: (file: string) => Promise<NamedBytes | null>, opts: MovieLensOptions): Promise<MovieLensData> {
  const layout = RATING_FILES.find((r) => open(r.file) !== null);
  const source = layout ? open(layout.file) : null;
  if (!layout || !source) {
    throw new Error(`${where}: no MovieLens rating file (looked for ${RATING_FILES.map((r) => r.file).join(', ')})`);
  }
  const { dataset, ...parse } = await parseRatings(source, {
    format: layout.format,
    header: layout.header,
    columns: { user: 0, item: 1, rating: 2, timestamp: 3 },
    skipBadLines: opts.skipBadLines ?? false,
    ...(opts.onParseProgress ? { onProgress: opts.onParseProgress } : {}),
  });
  const movies = opts.movies === false ? null : await loadMovies(bytes);
  return { name, ratings: dataset, movies, parse, source: where };
}

async function loadMovies(bytes: (file: string) => Promise<NamedBytes | null>): Promise<MovieCatalog | null> {
  const uItem = await bytes('u.item');
  if (uItem) return parseUItem(uItem.name, uItem.data, (await bytes('u.genre'))?.data);
  const dat = await bytes('movies.dat');
  if (dat) return parseMoviesDat(dat.name, dat.data);
  const csv = await bytes('movies.csv');
  if (csv) return parseMoviesCsv(csv.name, csv.data);
  return null;
}

interface NamedBytes {
  name: string;
  data: Uint8Array;
}
