// The load-test report in a real browser: headless Chromium (playwright-core, /usr/bin/chromium)
// opens the page rendered from a run with a spike, a knee search and per-entry results, and the
// test checks what a reader sees: every chart drawn with its lines (none empty), the tables'
// figures, nothing wider than the page, and a screenshot that is not blank.

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram.js';
import { renderHtml } from './html.js';
import type { KneeResult } from './knee.js';
import type { RunReport } from './report.js';
import { mergeResults } from './run.js';
import type { GeneratorResult } from './generator.js';
import { loadScenario } from './scenario.js';
import { judgeStep, parseSlo } from './slo.js';
import { parseDurations } from './server-metrics.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
if (!existsSync(CHROMIUM)) console.warn(`load report test: SKIPPING: ${CHROMIUM} is missing (apt-get install chromium)`);

/** A generator's result at `rate` for `seconds`, latency growing with load and with the spike. */
function fakeRun(rate: number, seconds: number, knee: number, spike: (s: number) => number): GeneratorResult {
  let seed = 3;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const entries = [new Histogram(), new Histogram()];
  const perSecond = Array.from({ length: seconds }, (_, s) => {
    const h = new Histogram();
    const load = (rate * spike(s)) / knee;
    const n = Math.round(rate * spike(s));
    let timeouts = 0;
    for (let i = 0; i < n; i++) {
      const us = 300 + 400 * -Math.log(1 - rand()) * (1 + 300 * Math.max(0, load - 0.85) ** 2);
      if (us > 2e6) timeouts++;
      else {
        h.record(us);
        entries[i % 10 === 0 ? 1 : 0]!.record(us);
      }
    }
    return { ok: n - timeouts - (s === 5 ? 3 : 0), non2xx: s === 5 ? 3 : 0, errors: 0, timeouts, hist: h.toJSON() };
  });
  const lag = new Histogram();
  for (let i = 0; i < 1000; i++) lag.record(20 + 100 * rand());
  const sum = (f: (p: (typeof perSecond)[number]) => number) => perSecond.reduce((a, p) => a + f(p), 0);
  const ok = sum((p) => p.ok);
  return {
    sent: Math.round(sum((p) => p.ok + p.non2xx + p.timeouts)),
    unsent: 0,
    perSecond,
    byEntry: entries.map((h) => h.toJSON()),
    entryCounts: [
      { ok: Math.round(ok * 0.9), non2xx: sum((p) => p.non2xx), errors: 0, timeouts: sum((p) => p.timeouts) },
      { ok: ok - Math.round(ok * 0.9), non2xx: 0, errors: 0, timeouts: 0 },
    ],
    statuses: { '200': ok },
    errorCodes: {},
    lag: lag.toJSON(),
    bytesIn: 0,
    peakConnections: 40,
    peakQueue: 0,
    coldConnections: 0,
  };
}

function report(): RunReport {
  const scenario = { ...loadScenario('spike'), mix: loadScenario('read-heavy').mix };
  const objectives = parseSlo('p99<10ms');
  const rates = [500, 750, 1125, 1688, 2531, 2110, 1900];
  const points = rates.map((rate) => {
    const step = mergeResults({ scenario, rate, durationS: 10 }, [fakeRun(rate, 10, 2300, () => 1)]);
    return { rate, step, judgement: judgeStep(step, objectives) };
  });
  const knee: KneeResult = { knee: Math.max(...points.filter((p) => p.judgement.pass).map((p) => p.rate)), points, stoppedBy: 'bisected' };
  const step = mergeResults({ scenario, rate: 500, durationS: 20 }, [fakeRun(500, 20, 2300, (s) => (s >= 8 && s < 12 ? 4 : 1))]);
  const metrics = ['0.0001', '0.00025', '0.0005', '0.001', '0.0025', '+Inf']
    .map((le, i) => `recs_http_request_duration_seconds_bucket{route="/v1/users/{userId}/recommendations",status="200",le="${le}"} ${[0, 4000, 8000, 8800, 9000, 9000][i]}`)
    .join('\n');
  return {
    date: '2026-12-07T00:00:00.000Z',
    command: 'pnpm bench --url http://127.0.0.1:8080 --scenario spike --rate 500 --duration 20',
    hardware: 'test machine',
    urls: ['http://127.0.0.1:8080'],
    modelVersion: 'v1',
    idsFrom: 'test',
    scenario,
    arrival: 'open loop, base 500 req/s',
    step,
    server: parseDurations(metrics),
    knee,
    objectives,
  };
}

describe.skipIf(!existsSync(CHROMIUM))('load-test report in headless Chromium', () => {
  it('draws every chart with data, shows the tables and fits the page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'load-report-'));
    const file = join(dir, 'load.html');
    const r = report();
    writeFileSync(file, renderHtml(r));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(pathToFileURL(file).href);
      const charts = await page.$$eval('svg', (svgs) =>
        svgs.map((s) => ({
          title: s.getAttribute('aria-label'),
          paths: [...s.querySelectorAll('path')].map((p) => (p.getAttribute('d') ?? '').split(/[ML]/).length - 1),
          width: s.getBoundingClientRect().width,
        })),
      );
      expect(charts.map((c) => c.title)).toEqual([
        'Latency over time (from the intended send time)',
        'Throughput over time',
        'Errors over time',
        'Latency by percentile (10 = p90, 100 = p99, 10k = p99.99)',
        'Latency against the rate asked',
        'Answers per second against the rate asked',
      ]);
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(400);
        expect(Math.min(...c.paths)).toBeGreaterThanOrEqual(2); // every series is a line
      }
      expect(charts[0]!.paths.slice(0, 3).every((n) => n === 20)).toBe(true); // p50, p99, p99.9: one point a second
      expect(await page.locator('.empty').count()).toBe(0);
      const text = await page.locator('body').innerText();
      expect(text).toContain('Load test: spike');
      expect(text).toContain(`knee: ${r.knee!.knee!.toLocaleString('en-US')} req/s is the highest rate that met p99 < 10 ms`);
      expect(text).toContain('/v1/users/{userId}/recommendations');
      expect(text).toMatch(/p99\.99 ms/);
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow as number).toBeLessThanOrEqual(0);
      const shot = await page.screenshot({ fullPage: true });
      expect(shot.length).toBeGreaterThan(50_000); // a blank page is a few kB
      if (process.env['BENCH_REPORT_SHOT']) writeFileSync(process.env['BENCH_REPORT_SHOT'], shot);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
