// Download + cache + checksum behaviour against a local HTTP server serving synthetic zips.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecksumError, DownloadError } from './download.js';
import { loadMovieLens, type MovieLensOptions } from './movielens.js';

const ratingsDat = Array.from({ length: 500 }, (_, k) => `${1 + (k % 20)}::${100 + (k % 37)}::${1 + (k % 5)}::${9e8 + k}`).join('\n');
const moviesDat = Buffer.from(Array.from({ length: 37 }, (_, k) => `${100 + k}::${k === 3 ? 'Caf\xe9 Test' : `Film ${k}`} (19${50 + k})::Drama|Comedy`).join('\n'), 'latin1');
const ratingsCsv = `userId,movieId,rating,timestamp\n${Array.from({ length: 300 }, (_, k) => `${k % 9},${k % 11},${(1 + (k % 10)) / 2},${k}`).join('\n')}\n`;
const moviesCsv = 'movieId,title,genres\n0,"Comma, The (2001)",Drama\n1,Crème (2002),(no genres listed)\n';

const ZIPS: Record<string, Uint8Array> = {
  '/ml-1m.zip': zipSync({ 'ml-1m/ratings.dat': strToU8(ratingsDat), 'ml-1m/movies.dat': moviesDat, 'ml-1m/README': strToU8('synthetic') }),
  '/ml-latest-small.zip': zipSync({ 'ml-latest-small/ratings.csv': strToU8(ratingsCsv), 'ml-latest-small/movies.csv': [strToU8(moviesCsv), { level: 0 }] }),
  '/ml-100k.zip': zipSync({ 'ml-100k/u.data': strToU8('1\t2\t3\t4\n') }), // not the published file: md5 differs
};

let server: Server;
let baseUrl = '';
let requests: string[] = [];
let cacheDir = '';

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'ml-cache-'));
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = ZIPS[req.url ?? ''];
    if (!body) return res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
  await rm(cacheDir, { recursive: true, force: true });
});

const opts = (extra: MovieLensOptions = {}): MovieLensOptions => ({ cacheDir, baseUrl, ...extra });

describe('loadMovieLens download and cache', () => {
  it('downloads once, records a sha256 sidecar, then loads from the cache without a request', async () => {
    requests = [];
    const progress: { bytes: number; total: number | undefined }[] = [];
    const first = await loadMovieLens('1m', opts({ onDownloadProgress: (p) => progress.push(p) }));
    expect(requests).toEqual(['/ml-1m.zip']);
    expect(progress.at(-1)).toEqual({ bytes: ZIPS['/ml-1m.zip']!.length, total: ZIPS['/ml-1m.zip']!.length });
    expect(first.ratings.length).toBe(500);
    expect(first.ratings.userIds.length).toBe(20);
    expect(first.movies?.byId.get('103')?.title).toBe('Café Test (1953)');
    expect(first.movies?.byId.get('100')?.genres).toEqual(['Drama', 'Comedy']);
    const sidecar = await readFile(join(cacheDir, 'ml-1m.zip.sha256'), 'utf8');
    expect(sidecar).toMatch(/^[0-9a-f]{64} {2}ml-1m\.zip\n$/);

    const parsed: number[] = [];
    const second = await loadMovieLens('1m', opts({ onParseProgress: (p) => parsed.push(p.rows) }));
    expect(requests).toEqual(['/ml-1m.zip']); // no second request
    expect(second.ratings.ratings).toEqual(first.ratings.ratings);
    expect(parsed.at(-1)).toBe(500);
  });

  it('parses the CSV layout (ratings.csv with header, quoted movies.csv)', async () => {
    const ml = await loadMovieLens('latest-small', opts());
    expect(ml.ratings.length).toBe(300);
    expect(ml.parse.header).toEqual(['userId', 'movieId', 'rating', 'timestamp']);
    expect(ml.movies?.byId.get('0')?.title).toBe('Comma, The (2001)');
    expect(ml.movies?.byId.get('1')).toEqual({ id: '1', title: 'Crème (2002)', year: 2002, genres: [] });
  });

  it('rejects a download whose md5 differs from the published one, leaving nothing cached', async () => {
    const err = await loadMovieLens('100k', opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumError);
    expect((err as Error).message).toMatch(/md5 is [0-9a-f]{32}, expected 0e33842e24a9c977be4e0107933c0723/);
    expect((err as Error).message).toContain(`${baseUrl}/ml-100k.zip`);
    expect((await readdir(cacheDir)).filter((f) => f.startsWith('ml-100k'))).toEqual([]);
  });

  it('rejects a cached zip that no longer matches its recorded sha256', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ml-cache-'));
    try {
      await loadMovieLens('1m', opts({ cacheDir: dir }));
      await appendFile(join(dir, 'ml-1m.zip'), 'x');
      const before = requests.length;
      await expect(loadMovieLens('1m', opts({ cacheDir: dir }))).rejects.toThrow(/Checksum mismatch for cached file .*ml-1m\.zip: sha256 is .* recorded/);
      expect(requests.length).toBe(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports HTTP errors with the URL', async () => {
    await expect(loadMovieLens('10m', opts())).rejects.toThrow(/HTTP 404[\s\S]*URL: +http:\/\/127\.0\.0\.1:\d+\/ml-10m\.zip/);
  });

  it('offline with no cache: names the URL, the cache path and how to use a local copy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ml-empty-'));
    try {
      const e1 = await loadMovieLens('1m', opts({ cacheDir: dir, offline: true })).catch((e: unknown) => e);
      expect(e1).toBeInstanceOf(DownloadError);
      const msg = (e1 as Error).message;
      expect(msg).toContain(`${baseUrl}/ml-1m.zip`);
      expect(msg).toContain(join(dir, 'ml-1m.zip'));
      expect(msg).toContain('loadMovieLensDir');

      // A server that is gone (connection refused) gives the same guidance.
      const gone = createServer();
      await new Promise<void>((ok) => gone.listen(0, '127.0.0.1', ok));
      const deadUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}`;
      await new Promise((ok) => gone.close(ok));
      const e2 = await loadMovieLens('1m', { cacheDir: dir, baseUrl: deadUrl }).catch((e: unknown) => e);
      expect(e2).toBeInstanceOf(DownloadError);
      expect((e2 as Error).message).toMatch(/not cached and could not be downloaded \(fetch failed: ECONNREFUSED\)/);
      expect((e2 as Error).message).toContain(`${deadUrl}/ml-1m.zip`);
      expect((e2 as Error).message).toContain('--data-dir ../shared/datasets/ml-1m');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
