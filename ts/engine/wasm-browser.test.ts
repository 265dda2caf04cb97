// Tests the WASM engine in a real browser through the "try it" page (web/): the static demo built
// by writeStaticDemo from a small model (MovieLens 100K when present, else synthetic data), served
// on 127.0.0.1, opened in Debian's headless Chromium via playwright-core. Picking three movies
// changes the top 10 to what the native engine's fold-in gives for the same picks, similar items
// match too, no request is made after the page has loaded, and a screenshot is saved to
// .cache/screenshots/try-it.png.

import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { contentType, writeStaticDemo } from '../../web/build-static.js';
import { parseUItem } from '../data/movielens-items.js';
import { readArtifact, writeArtifact, type ModelArtifact } from '../model/artifact.js';
import { foldInParams, likeValueFor } from '../model/demo-payload.js';
import { createNativeEngine, nativeAddonPath } from './native.js';
import { EMPTY_ITEM, type AlsParams, type Interactions } from './types.js';

import { wasmTestsEnabled } from './wasm-engines.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const repo = join(nativeAddonPath(), '..', '..');
const ml100k = join(repo, '..', 'shared', 'datasets', 'ml-100k');
const native = createNativeEngine();
const params: Partial<AlsParams> = { rank: 32, maxIter: 10, regParam: 0.3, implicitPrefs: true, alpha: 1, solver: 'cg', cgSteps: 3, seed: 42 };

if (!existsSync(CHROMIUM)) console.warn(`wasm-browser.test: skipping, ${CHROMIUM} is absent (apt-get install chromium)`);

/** Interactions and item metadata: MovieLens 100K (ids 1-based, dense), else synthetic. */
async function dataset(): Promise<{ data: Interactions; titles: (string | null)[]; genres: string[][]; source: string }> {
  if (existsSync(join(ml100k, 'u.data'))) {
    const rows = readFileSync(join(ml100k, 'u.data'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('\t').map(Number));
    const catalog = await parseUItem('u.item', readFileSync(join(ml100k, 'u.item')), readFileSync(join(ml100k, 'u.genre')));
    const nItems = Math.max(...rows.map((r) => r[1] as number));
    const movies = Array.from({ length: nItems }, (_, i) => catalog.byId.get(String(i + 1)));
    const data = {
      nUsers: Math.max(...rows.map((r) => r[0] as number)),
      nItems,
      users: Uint32Array.from(rows, (r) => (r[0] as number) - 1),
      items: Uint32Array.from(rows, (r) => (r[1] as number) - 1),
      values: Float32Array.from(rows, (r) => r[2] as number),
    };
    return { data, titles: movies.map((m) => m?.title ?? null), genres: movies.map((m) => m?.genres ?? []), source: 'MovieLens 100K' };
  }
  const data = await native.generateSynthetic({ nUsers: 900, nItems: 1600, nInteractions: 90_000, seed: 7 });
  return { data, titles: Array.from({ length: 1600 }, (_, i) => `Synthetic movie ${i + 1}`), genres: Array.from({ length: 1600 }, () => []), source: 'synthetic' };
}

/** A small model artifact written to `dir` (what the training pipeline would publish). */
async function buildArtifact(dir: string): Promise<ModelArtifact> {
  const { data, titles, genres, source } = await dataset();
  const model = await native.fit(data, params);
  const counts = new Uint32Array(data.nItems);
  for (const i of data.items) counts[i] = (counts[i] as number) + 1;
  const order = Uint32Array.from({ length: data.nItems }, (_, i) => i).sort((a, b) => (counts[b] as number) - (counts[a] as number) || a - b);
  const top = await native.topK(model, { k: 10, exclude: data });
  writeArtifact(dir, {
    rank: model.rank,
    userIds: Array.from({ length: data.nUsers }, (_, u) => String(u + 1)),
    itemIds: Array.from({ length: data.nItems }, (_, i) => String(i + 1)),
    userFactors: model.userFactors,
    itemFactors: model.itemFactors,
    items: { titles, genres },
    popularity: { items: order, counts: Uint32Array.from(order, (i) => counts[i] as number) },
    topk: { depth: 10, items: top.items, scores: top.scores },
    manifest: {
      version: 'v-browser-test',
      createdAt: new Date().toISOString(),
      codeVersion: 'test',
      params: { ...params, feedback: 'value' },
      engine: { kind: 'native', kernel: model.kernel },
      data: { source, fingerprint: 'test', users: data.nUsers, items: data.nItems, interactions: data.users.length },
      metrics: {},
      baseline: {},
      timings: {},
      iterations: [],
      topkDepth: 10,
    },
  });
  return readArtifact(dir);
}

/** A static file server for `root` on 127.0.0.1 (port 0) that records every request. */
function serve(root: string, log: string[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    log.push(`${req.method} ${req.url}`);
    const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (req.method !== 'GET' || !file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': contentType(file) }).end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/` });
    }),
  );
}

/** Item indices of a rendered list. */
const listed = (page: Page, selector: string) => page.$$eval(`${selector} li[data-item]`, (lis) => lis.map((li) => Number(li.getAttribute('data-item'))));

if (!existsSync(CHROMIUM)) console.warn(`try-it page test: SKIPPING: ${CHROMIUM} is missing (apt-get install chromium)`);

describe.skipIf(!existsSync(CHROMIUM) || !wasmTestsEnabled())('try-it page in headless Chromium', () => {
  let artifact: ModelArtifact;
  let browser: Browser;
  let server: Server;
  let url: string;
  const requests: string[] = [];

  beforeAll(async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'try-it-'));
    artifact = await buildArtifact(join(tmp, 'model'));
    writeStaticDemo(join(tmp, 'site'), join(tmp, 'model'));
    ({ server, url } = await serve(join(tmp, 'site'), requests));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('personalises the top 10 as movies are picked, as the native fold-in does, without sending the picks', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('#status')).toMatch(/WebAssembly \(simd128\)/);
    const popular = await listed(page, '#top');
    expect(popular).toEqual(Array.from(artifact.popularity.items.subarray(0, 10)));
    const loaded = requests.length;

    const queries = artifact.items?.titles[0]?.startsWith('Synthetic') ? ['1', '2', '3'] : ['star wars', 'fargo', 'princess bride'];
    const picks: number[] = [];
    for (const q of queries) {
      const updates = await page.getAttribute('body', 'data-updates');
      await page.fill('#search', q);
      const first = page.locator('#results li[data-item]').first();
      picks.push(Number(await first.getAttribute('data-item')));
      await first.locator('button').click();
      await page.waitForSelector(`body:not([data-updates="${updates}"])`);
    }
    const top = await listed(page, '#top');
    expect(top).toHaveLength(10);
    expect(top).not.toEqual(popular);
    expect(await listed(page, '#picks')).toEqual(picks);

    const fold = native.createFoldIn(artifact, foldInParams(artifact.manifest.params, artifact.rank));
    const want = fold.recommend(Uint32Array.from(picks), new Float32Array(3).fill(likeValueFor(artifact.manifest.params)), 10);
    const score = (i: number) => want.vector.reduce((s, v, d) => s + v * (artifact.itemFactors[i * artifact.rank + d] as number), 0);
    for (let j = 0; j < 10; j++) {
      if (top[j] !== want.items[j]) expect(Math.abs(score(top[j] as number) - (want.scores[j] as number))).toBeLessThan(1e-4); // a near-tie swapped
    }
    expect(top.filter((i, j) => i !== want.items[j]).length).toBeLessThanOrEqual(2);

    await page.locator('#top li[data-item] .title').first().click();
    await page.waitForSelector('#similar:not([hidden])');
    const similar = await native.similarItems(artifact, Uint32Array.of(top[0] as number), 10);
    expect(await listed(page, '#similar-list')).toEqual(Array.from(similar.items).filter((i) => i !== EMPTY_ITEM));

    expect(requests.slice(loaded)).toEqual([]); // picks never leave the page
    expect(requests.every((r) => r.startsWith('GET '))).toBe(true);
    expect(errors).toEqual([]);
    mkdirSync(join(repo, '.cache', 'screenshots'), { recursive: true });
    await page.screenshot({ path: join(repo, '.cache', 'screenshots', 'try-it.png'), fullPage: true });
  });
});
