// Loaders against the real MovieLens files in ../shared/datasets (never copied into the repo).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadMovieLensDir } from './movielens.js';

const DATASETS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/datasets');

function folder(name: string): { dir: string; present: boolean; title: string } {
  const dir = join(DATASETS, name);
  const present = existsSync(dir);
  if (!present) console.warn(`[ts/data] SKIPPING ${name} loader tests: ${dir} not found`);
  return { dir, present, title: present ? name : `${name} (SKIPPED: ${dir} not found)` };
}

const ml100k = folder('ml-100k');
describe.skipIf(!ml100k.present)(ml100k.title, () => {
  it('loads 100,000 ratings of 943 users on 1,682 items', async () => {
    const ml = await loadMovieLensDir(ml100k.dir);
    const d = ml.ratings;
    expect(ml.name).toBe('ml-100k');
    expect(d.length).toBe(100_000);
    expect(d.userIds.length).toBe(943);
    expect(d.itemIds.length).toBe(1682);
    expect(ml.parse.badLines.count).toBe(0);
    expect(ml.parse.header).toBeNull();
    let min = Infinity,
      max = -Infinity;
    for (const r of d.ratings) (min = Math.min(min, r)), (max = Math.max(max, r));
    expect([min, max]).toEqual([1, 5]);
    expect(d.timestamps.every(Number.isFinite)).toBe(true);
  });

  it('reads u.item titles (latin1) and genres named from u.genre', async () => {
    const { movies } = await loadMovieLensDir(ml100k.dir);
    expect(movies?.movies.length).toBe(1682);
    expect(movies?.genres.length).toBe(19);
    const toy = movies?.byId.get('1');
    expect(toy).toEqual({ id: '1', title: 'Toy Story (1995)', year: 1995, genres: ['Animation', "Children's", 'Comedy'] });
    expect(movies?.byId.get('543')?.title).toBe('Misérables, Les (1995)');
  });
});

const small = folder('ml-latest-small');
describe.skipIf(!small.present)(small.title, () => {
  it('loads 100,836 ratings of 610 users on 9,724 rated movies, with half stars', async () => {
    const ml = await loadMovieLensDir(small.dir, { movies: false });
    const d = ml.ratings;
    expect(d.length).toBe(100_836);
    expect(d.userIds.length).toBe(610);
    expect(d.itemIds.length).toBe(9724);
    expect(ml.parse.header).toEqual(['userId', 'movieId', 'rating', 'timestamp']);
    expect(d.ratings.includes(0.5)).toBe(true);
    expect(ml.movies).toBeNull();
  });

  it('reads movies.csv: quoted titles, UTF-8 accents, | genres', async () => {
    const { movies } = await loadMovieLensDir(small.dir);
    expect(movies?.movies.length).toBe(9742);
    expect(movies?.byId.get('1')?.genres).toEqual(['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy']);
    expect(movies?.byId.get('11')?.title).toBe('American President, The (1995)');
    expect(movies?.byId.get('29')?.title).toBe('City of Lost Children, The (Cité des enfants perdus, La) (1995)');
    expect(movies?.byId.get('114335')?.genres).toEqual([]); // "(no genres listed)"
  });
});
