// Owns MovieLens item metadata (titles, years, genres) from u.item + u.genre (100k),
// movies.dat (1m/10m) and movies.csv (20m and later, latest-small).
//
// Encodings: u.item and movies.dat are ISO-8859-1 (latin1), movies.csv is UTF-8. Each file is
// decoded as UTF-8 when its bytes are valid UTF-8 and as latin1 otherwise, which reads all of
// these correctly (a latin1 accented title is never valid UTF-8 in practice).

import { DataFormatError } from './errors.js';
import { bytesSource } from './read-file.js';
import { readRecords } from './records.js';

export interface Movie {
  id: string;
  title: string;
  /** From the "(1995)" suffix of the title, if any. */
  year: number | null;
  genres: string[];
}

export interface MovieCatalog {
  movies: Movie[];
  byId: Map<string, Movie>;
  /** Genre names in first-seen order (u.genre order for 100k). */
  genres: string[];
}

/** The 19 ml-100k genres in flag order, used when u.genre is absent. */
export const ML100K_GENRES: readonly string[] = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

const NO_GENRES = '(no genres listed)';

export function detectTextEncoding(bytes: Uint8Array): 'utf8' | 'latin1' {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf8';
  } catch {
    return 'latin1';
  }
}

/** u.item: id|title|release date|video release date|IMDb URL|19 genre flags. */
export async function parseUItem(name: string, bytes: Uint8Array, genreBytes?: Uint8Array): Promise<MovieCatalog> {
  const genreNames = genreBytes ? await parseUGenre(genreBytes) : [...ML100K_GENRES];
  const rows = await readRecords(bytesSource(name, bytes), { delimiter: '|', encoding: detectTextEncoding(bytes) });
  const cat = emptyCatalog(genreNames);
  for (const { line, fields } of rows) {
    if (fields.length !== 5 + genreNames.length) {
      throw new DataFormatError(name, { line, field: 'line', text: fields.join('|'), reason: `expected ${5 + genreNames.length} fields, found ${fields.length}` });
    }
    const genres = genreNames.filter((_, g) => fields[5 + g] === '1');
    addMovie(cat, name, line, fields[0]!, fields[1]!, genres);
  }
  return cat;
}

/** u.genre: name|index lines → names ordered by index. */
async function parseUGenre(bytes: Uint8Array): Promise<string[]> {
  const rows = await readRecords(bytesSource('u.genre', bytes), { delimiter: '|', encoding: detectTextEncoding(bytes) });
  const names: string[] = [];
  for (const { fields } of rows) {
    const idx = Number(fields[1]);
    if (fields[0] && Number.isInteger(idx)) names[idx] = fields[0];
  }
  return Array.from(names, (n, i) => n ?? `genre${i}`);
}

/** movies.dat: id::title::Genre1|Genre2. */
export async function parseMoviesDat(name: string, bytes: Uint8Array): Promise<MovieCatalog> {
  const rows = await readRecords(bytesSource(name, bytes), { delimiter: '::', encoding: detectTextEncoding(bytes) });
  return fromTriples(name, rows);
}

/** movies.csv: movieId,title,genres with a header and quoted titles. */
export async function parseMoviesCsv(name: string, bytes: Uint8Array): Promise<MovieCatalog> {
  const rows = await readRecords(bytesSource(name, bytes), { delimiter: ',', quotes: true, header: true, encoding: detectTextEncoding(bytes) });
  return fromTriples(name, rows);
}

function fromTriples(name: string, rows: { line: number; fields: string[] }[]): MovieCatalog {
  const cat = emptyCatalog([]);
  const seen = new Set<string>();
  for (const { line, fields } of rows) {
    if (fields.length !== 3) {
      throw new DataFormatError(name, { line, field: 'line', text: fields.join(' | '), reason: `expected 3 fields, found ${fields.length}` });
    }
    const g = fields[2]!.trim();
    const genres = g === '' || g === NO_GENRES ? [] : g.split('|');
    for (const x of genres) if (!seen.has(x)) seen.add(x), cat.genres.push(x);
    addMovie(cat, name, line, fields[0]!, fields[1]!, genres);
  }
  return cat;
}

function emptyCatalog(genres: string[]): MovieCatalog {
  return { movies: [], byId: new Map(), genres };
}

function addMovie(cat: MovieCatalog, name: string, line: number, rawId: string, rawTitle: string, genres: string[]): void {
  const id = rawId.trim();
  if (id === '') throw new DataFormatError(name, { line, field: 'item', text: '', reason: 'empty movie id' });
  if (cat.byId.has(id)) throw new DataFormatError(name, { line, field: 'item', text: id, reason: 'duplicate movie id' });
  const title = rawTitle.trim();
  const m = /\((\d{4})(?:[-–]\d{0,4})?\)$/.exec(title);
  const movie: Movie = { id, title, year: m ? Number(m[1]) : null, genres };
  cat.movies.push(movie);
  cat.byId.set(id, movie);
}
