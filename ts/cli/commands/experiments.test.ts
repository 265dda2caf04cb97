// Tests `recs experiments` against a temporary registry of small hand-written artifacts.

import { existsSync, mkdtempSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { Rng } from '../../data/random.js';
import { SqliteEventStore } from '../../events/sqlite.js';
import { Assigner } from '../../model/experiments/assign.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { localBook } from '../../model/experiments/book.js';
import { writeTiny } from '../../model/lifecycle/testing.js';
import { LocalRegistry } from '../../model/registry.js';
import { main } from '../run.js';
import { capture } from '../testing.js';

afterEach(() => vi.restoreAllMocks());

const CHROMIUM = '/usr/bin/chromium';

describe('recs experiments', () => {
  it('creates, lists, shows and stops; refuses bad shares, unknown versions and overlaps', async () => {
    const reg = new LocalRegistry(join(mkdtempSync(join(tmpdir(), 'exp-cli-')), 'models'));
    writeTiny(reg, 'v1');
    writeTiny(reg, 'v2');
    const d = ['--models-dir', reg.root];
    const c = capture();
    expect(await main(['experiments', 'create', 'e1', '--variants', 'control=v1:0.5,treatment=v2:0.6', ...d])).toBe(1);
    expect(c.err()).toMatch(/shares sum to 1\.1, not 1/);
    expect(await main(['experiments', 'create', 'e1', '--variants', 'control=v1:0.5,treatment=v7:0.5', ...d])).toBe(1);
    expect(c.err()).toMatch(/unknown model version "v7"; known: v1, v2/);
    expect(await main(['experiments', 'create', 'e1', '--variants', 'control=v1:0.5,treatment=v2:0.5', '--salt', 's1', ...d])).toBe(0);
    expect(c.out()).toMatch(/created and started[\s\S]*control\s+v1\s+50\.0 %\s+\(control\)/);
    expect(await main(['experiments', 'create', 'e2', '--variants', 'control=v1:0.5,pop=popularity:0.5', ...d])).toBe(1);
    expect(c.err()).toMatch(/experiment "e1" is running on the same unit/);
    c.clear();
    expect(await main(['experiments', 'list', ...d])).toBe(0);
    expect(c.out()).toMatch(/^e1\s+running\s+control=v1:0\.5,treatment=v2:0\.5$/);
    c.clear();
    expect(await main(['experiments', 'show', 'e1', '--json', ...d])).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ name: 'e1', salt: 's1', state: 'running' });
    expect(await main(['experiments', 'show', 'nope', ...d])).toBe(1);
    expect(c.err()).toMatch(/no experiment named "nope"; known: e1/);
    expect(await main(['experiments', 'stop', 'e1', ...d])).toBe(0);
    expect((await localBook(reg.root).read()).experiments[0]).toMatchObject({ state: 'stopped' });
    expect(await main(['experiments', 'create', 'e2', '--variants', 'control=v1:0.5,pop=popularity:0.5', ...d])).toBe(0);
    expect(await main(['experiments', 'stop', 'e1', '--salt', 'x', ...d])).toBe(2);
  });
});

describe('recs experiments report and conclude', () => {
  it('refuses below the planned sample, reports text, JSON and an HTML page Chromium renders, then promotes the winner through the gate with the online result in the history', async () => {
    const reg = new LocalRegistry(join(mkdtempSync(join(tmpdir(), 'exp-cli-')), 'models'));
    writeTiny(reg, 'v1', { metrics: { 'ndcg@10': 0.4 } });
    writeTiny(reg, 'v2', { metrics: { 'ndcg@10': 0.42 } });
    reg.activate('v1');
    const eventsDb = join(reg.root, '..', 'events.sqlite');
    const d = ['--models-dir', reg.root];
    const c = capture();
    expect(await main(['experiments', 'create', 'e', '--variants', 'control=v1:0.5,treatment=v2:0.5', '--salt', 's', '--baseline-rate', '0.3', '--mde', '0.2', ...d])).toBe(0);
    const e = (await localBook(reg.root).read()).experiments[0]!;
    const assigner = new Assigner(e);
    const store = new SqliteEventStore(eventsDb);
    const rng = new Rng(5);
    const t = Date.now();
    let n = 0;
    const fill = async (users: number) => {
      for (let u = 0; u < users; u++) {
        const userId = `user${n}`;
        const rec = (n++).toString(16).padStart(32, '0');
        const p = assigner.variantIndex(userId) === 1 ? 0.6 : 0.1;
        await store.appendImpressions([0, 1].map((position) => ({ recommendationId: rec, userId, itemId: `i${position}`, position, shownAt: t, receivedAt: t })));
        if (rng.nextFloat() < p) await store.append([{ eventId: `c${rec}`, userId, itemId: 'i0', type: 'click', value: 1, timestamp: t + 10, receivedAt: t + 10, recommendationId: rec, position: 0 }]);
      }
    };
    await fill(20);
    expect(await main(['experiments', 'conclude', 'e', ...d])).toBe(1);
    expect(c.err()).toMatch(/not enough data to conclude e: every variant needs \d+ impressions.*short: control \d+, treatment \d+/);
    await fill(400);
    await store.close();
    c.clear();
    expect(await main(['experiments', 'report', 'e', ...d])).toBe(0);
    expect(c.out()).toMatch(/treatment − control: CTR \+[0-9.]+ %.*significant/);
    c.clear();
    expect(await main(['experiments', 'report', 'e', '--format', 'json', ...d])).toBe(0);
    const json = JSON.parse(c.out());
    expect(json).toMatchObject({ readable: true, attribution: { unknown: 0, expired: 0 } });
    expect(json.variants[1].vsControl.ctr.significant).toBe(true);
    const html = join(reg.root, '..', 'report.html');
    expect(await main(['experiments', 'report', 'e', '--format', 'html', '--out', html, ...d])).toBe(0);
    if (existsSync(CHROMIUM)) {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
      try {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        await page.goto(pathToFileURL(html).href);
        const charts = (await page.evaluate(
          `Array.from(document.querySelectorAll('svg')).map((s) => { const b = s.getBoundingClientRect(); return { title: s.getAttribute('aria-label'), width: b.width, height: b.height, paths: s.querySelectorAll('path').length }; })`,
        )) as Array<{ title: string; width: number; height: number; paths: number }>;
        expect(charts.map((x) => x.title)).toEqual(['Cumulative click-through rate', 'Cumulative impressions']);
        for (const x of charts) {
          expect(x.width).toBeGreaterThan(200);
          expect(x.height).toBeGreaterThan(100);
          expect(x.paths).toBeGreaterThanOrEqual(2);
        }
      } finally {
        await browser.close();
      }
    }
    c.clear();
    expect(await main(['experiments', 'conclude', 'e', ...d])).toBe(0);
    expect(c.out()).toMatch(/concluded e: promoted — ndcg@10 0\.4200 ≥ the active v1's 0\.4000 − 0\.01.*online: experiment e, treatment \(v2\) CTR/s);
    expect(reg.activeVersion()).toBe('v2');
    expect(reg.history().at(-1)).toMatchObject({ action: 'activate', version: 'v2', via: 'experiment', reason: expect.stringMatching(/online: .*p [<=] /) });
    expect((await localBook(reg.root).read()).experiments[0]).toMatchObject({ state: 'concluded', outcome: { winner: 'treatment' } });
    expect(await main(['experiments', 'conclude', 'e', ...d])).toBe(1);
    expect(c.err()).toMatch(/already concluded/);
  }, 60_000);
});
