// The training report as people see it: a real training run (MovieLens 100K when
// ../shared/datasets has it, else the built-in synthetic set) writes report.html, which Debian's
// headless Chromium opens from disk; every chart must render with a size, no text may spill out
// of its chart, and the page is kept as a screenshot ($RECS_REPORT_SCREENSHOT, else a temp file).

import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { loadEngine } from '../../engine/index.js';
import { DEFAULT_OPTIONS, type TrainOptions } from '../pipeline/options.js';
import { silentProgress } from '../pipeline/progress.js';
import { train } from '../pipeline/train.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ML100K = new URL('../../../../shared/datasets/ml-100k', import.meta.url).pathname;

if (!existsSync(CHROMIUM)) console.warn(`report screenshot test: SKIPPING: ${CHROMIUM} is missing (apt-get install chromium)`);

describe.skipIf(!existsSync(CHROMIUM))('training report in headless Chromium', () => {
  it('renders every chart, the protocol and the segments, and keeps a screenshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recs-report-'));
    const o: TrainOptions = {
      ...structuredClone(DEFAULT_OPTIONS),
      dataset: existsSync(join(ML100K, 'u.data')) ? { kind: 'movielens', size: '100k', dir: ML100K } : { kind: 'synthetic', preset: 'small', seed: 42 },
      als: { ...DEFAULT_OPTIONS.als, rank: 64, maxIter: 15 },
      modelsDir: join(dir, 'models'),
    };
    const r = await train(loadEngine(), o, silentProgress);
    expect(r.manifest.evaluationFit?.heldOut.points).toHaveLength(15);
    // The last held-out point is the table's NDCG (same definition, every test user scored).
    expect(r.manifest.evaluationFit!.heldOut.points.at(-1)!.ndcg).toBeCloseTo(r.manifest.metrics['ndcg@10']!, 10);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(pathToFileURL(r.reportPath).href);
      // Runs in the page (a string: this project's TypeScript has no DOM types).
      const charts = (await page.evaluate(`Array.from(document.querySelectorAll('svg')).map((s) => {
        const box = s.getBoundingClientRect();
        const inside = Array.from(s.querySelectorAll('text')).every((t) => {
          const b = t.getBoundingClientRect();
          return b.left >= box.left - 1 && b.right <= box.right + 1 && b.top >= box.top - 1 && b.bottom <= box.bottom + 1;
        });
        return { title: s.getAttribute('aria-label'), width: box.width, height: box.height, marks: s.querySelectorAll('path,rect,circle').length, inside };
      })`)) as Array<{ title: string; width: number; height: number; marks: number; inside: boolean }>;
      expect(charts.map((c) => c.title)).toEqual([
        'Training loss: relative change per iteration',
        'Held-out NDCG@10 per iteration',
        'What is recommended vs what is popular',
        'Item popularity (long tail)',
        'NDCG@k by user history length',
      ]);
      for (const c of charts) {
        expect(c.width, c.title).toBeGreaterThan(300);
        expect(c.marks, c.title).toBeGreaterThan(0);
        expect(c.inside, `${c.title}: a label spills out of the chart`).toBe(true);
      }
      const text = await page.innerText('body');
      expect(text).toContain('Evaluation protocol');
      expect(text).toMatch(/stratified by item, 0\.75 of each item's interactions to training, seed 42/);
      expect(text).toContain('every item the user has not interacted with in the training split (full ranking)');
      expect(text).toMatch(/21–50\s+\d+/);
      expect(errors).toEqual([]);
      const shot = process.env.RECS_REPORT_SCREENSHOT ?? join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(50_000);
    } finally {
      await browser.close();
    }
  }, 240_000);
});
