#!/usr/bin/env node
// Owns driving the "try it" page served by a running `recs serve` (a container's, in
// scripts/validate-image.sh; a test server's, in ts/serve/try-it-page.test.ts) in Debian's headless
// Chromium through playwright-core. The reference is the page's own payload (GET demo/model.bin,
// decoded by web/payload.js): the first list must be the model's popularity ranking.
// - engine mode: the WebAssembly engine loads (status names its kernel); picking three movies from
//   the search results replaces the popularity list with ten other movies that exclude the picks, a
//   title shows its similar movies, and no request leaves the page after it has loaded;
// - degraded mode (no engine on the server): the popularity list still shows, with no pick buttons,
//   and the page says what is missing and how to build it.
// Usage: node scripts/check-try-it-page.mjs URL [--degraded] [--screenshot FILE]   (exit 0: passed)
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { decodeDemoPayload } from '../web/payload.js';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const listed = (page, selector) => page.$$eval(`${selector} li[data-item]`, (lis) => lis.map((li) => Number(li.getAttribute('data-item'))));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Checks the page at `url`; resolves with what it saw, rejects with the first broken expectation. */
export async function checkTryItPage(url, { degraded = false, screenshot } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  const res = await fetch(new URL('demo/model.bin', url));
  if (!res.ok) throw new Error(`GET demo/model.bin: HTTP ${res.status}`);
  const model = decodeDemoPayload(new Uint8Array(await res.arrayBuffer()));
  const popular = Array.from(model.popularity.slice(0, 10));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const fail = (what) => {
    throw new Error(`try-it page at ${url}: ${what}`);
  };
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    const requests = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
    await page.goto(url);
    await page
      .waitForSelector(`body[data-ready="${degraded ? 'degraded' : 'true'}"]`, { timeout: 30_000 })
      .catch(async () => fail(`not ready (data-ready=${await page.getAttribute('body', 'data-ready')}; status: ${await page.textContent('#status')})`));
    const status = await page.textContent('#status');
    const shown = await listed(page, '#top');
    if (!same(shown, popular)) fail(`the first list ${JSON.stringify(shown)} is not the model's popularity ranking ${JSON.stringify(popular)}`);
    const seen = { status, popular: shown.length, notice: null, picks: [], top: [] };
    if (degraded) {
      const notice = (await page.isVisible('#notice')) ? await page.textContent('#notice') : '';
      if (!/pnpm build:wasm/.test(notice) || !/rustc-web/.test(notice)) fail(`the notice does not say what is missing and how to build it: "${notice}"`);
      if ((await page.$$('button.add')).length !== 0) fail('offers pick buttons without an engine');
      if (!/not available/.test(status)) fail(`status "${status}" does not say the engine is unavailable`);
      seen.notice = notice;
    } else {
      if (!/engine: WebAssembly \((simd128|portable)\)/.test(status)) fail(`status "${status}" does not name the WebAssembly engine`);
      if (await page.isVisible('#notice')) fail(`shows a notice: ${await page.textContent('#notice')}`);
      const loaded = requests.length;
      for (let n = 0; n < 3; n++) {
        const updates = await page.getAttribute('body', 'data-updates');
        const first = page.locator('#results li[data-item]').first();
        seen.picks.push(Number(await first.getAttribute('data-item')));
        await first.locator('button').click();
        await page.waitForSelector(`body:not([data-updates="${updates}"])`);
      }
      seen.top = await listed(page, '#top');
      if (seen.top.length !== 10 || same(seen.top, popular)) fail(`picking did not personalise the top 10: ${JSON.stringify(seen.top)}`);
      if (seen.top.some((i) => seen.picks.includes(i))) fail('the top 10 recommends a picked movie');
      if (!same(await listed(page, '#picks'), seen.picks)) fail('the picks list does not show the picks');
      await page.locator('#top li[data-item] .title').first().click();
      await page.waitForSelector('#similar:not([hidden])');
      if ((await listed(page, '#similar-list')).length === 0) fail('no similar movies');
      if (requests.length !== loaded) fail(`requests after the page loaded: ${requests.slice(loaded).join(', ')}`);
    }
    if (errors.length) fail(`page errors: ${errors.join('; ')}`);
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    return seen;
  } finally {
    await browser.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [url, ...rest] = process.argv.slice(2);
  if (!url) {
    console.error('usage: node scripts/check-try-it-page.mjs URL [--degraded] [--screenshot FILE]');
    process.exit(2);
  }
  const at = rest.indexOf('--screenshot');
  try {
    const seen = await checkTryItPage(url, { degraded: rest.includes('--degraded'), ...(at >= 0 && { screenshot: rest[at + 1] }) });
    console.log(`try-it page OK: ${seen.status}${seen.picks.length ? `; picks ${seen.picks.join(',')} -> top ${seen.top.join(',')}` : ''}`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
