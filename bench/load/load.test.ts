// The target load test end to end: the compiled server as a child process, the bench's
// generator in this thread (--workers 0), real HTTP. Counts are checked against the server's own
// /metrics, the open-loop latency against a server whose one stall has a known length.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../ts/serve/testing/build.js';
import { startServerChild, killServerChildren } from '../../ts/serve/testing/child.js';
import { fixtureRegistry } from '../../ts/serve/testing/fixtures.js';
import { targetMain } from './main.js';
import { runStep, warmConnections } from './run.js';
import { validateScenario } from './scenario.js';
import { parseDurations } from './server-metrics.js';
import { selfSignedCert } from '../../ts/store/testing/cosmos-server.js';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { packageRoot } from '../../ts/util/package-root.js';

const KEY = 'load-test-key-0123456789';
const ROOT = packageRoot();
let url = '';
let modelsDir = '';
const out = mkdtempSync(join(tmpdir(), 'bench-load-'));

beforeAll(async () => {
  const [main] = ensureBuilt(['ts/cli/serve-main.js']);
  const registry = fixtureRegistry('v1', { users: 50, items: 40 });
  modelsDir = registry.root;
  const env = { ...process.env, RECS_API_KEYS: KEY, RECS_EVENTS_DB: join(out, 'events.sqlite') };
  ({ url } = await startServerChild(main!, ['--models-dir', modelsDir, '--port', '0'], { env }));
}, 120_000);
afterAll(() => killServerChildren());

async function routeCounts(): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Object.fromEntries([...parseDurations(text)].map(([route, h]) => [route, h.cumulative.at(-1)!]));
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const bench = (...args: string[]) => targetMain(['--url', url, '--models-dir', modelsDir, '--workers', '0', '--warmup', '0', '--out', out, ...args], ROOT);

describe('pnpm bench --url (open loop against a running server)', () => {
  it('sends exactly the scheduled mix, counts what the server counts, and writes the reports', async () => {
    const before = await routeCounts();
    process.env['RECS_API_KEY'] = KEY;
    try {
      expect(await bench('--scenario', 'realtime', '--rate', '200', '--duration', '2')).toBe(0);
    } finally {
      delete process.env['RECS_API_KEY'];
    }
    const after = await routeCounts();
    const report = JSON.parse(readFileSync(join(out, 'load-realtime.json'), 'utf8'));
    expect(report.step.sent).toBe(400); // 200/s for 2 s, open loop: the schedule does not wait for answers
    expect(report.step.counts).toEqual({ ok: 400, non2xx: 0, errors: 0, timeouts: 0 });
    const byName = Object.fromEntries(report.step.byEntry.map((e: { name: string; counts: { ok: number } }) => [e.name, e.counts.ok]));
    const served = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
    expect(served('/v1/users/{userId}/recommendations')).toBe(byName['recommendations'] + 1); // + the preflight's key check
    expect(served('/v1/items/{itemId}/similar')).toBe(byName['similar']);
    expect(served('/v1/events')).toBe(byName['event'] + byName['event batch']);
    expect(byName['event']).toBeGreaterThan(20); // 15 % of 400
    expect(report.server['/v1/users/{userId}/recommendations'].requests).toBe(byName['recommendations']); // scraped around the load only
    expect(report.step.perSecond).toHaveLength(2);
    expect(report.step.latencyMs.p99).toBeGreaterThan(0);
    for (const ext of ['md', 'html']) expect(existsSync(join(out, `load-realtime.${ext}`))).toBe(true);
    expect(readFileSync(join(out, 'load-realtime.html'), 'utf8')).toContain('<svg');
  }, 60_000);

  it('refuses bad input with one line before sending any load', async () => {
    const before = await routeCounts();
    await expect(bench('--scenario', 'read-heavy', '--rate', '100', '--duration', '1', '--api-key', 'wrong-key-0123456789')).rejects.toThrow(`${url} refuses the API key`);
    await expect(bench('--scenario', 'read-heavy', '--rate', '100', '--duration', '1')).rejects.toThrow(`${url} refuses requests without an API key`);
    const closed = await freePort();
    await expect(targetMain(['--url', `http://127.0.0.1:${closed}`, '--rate', '10', '--duration', '1'], ROOT)).rejects.toThrow(`cannot reach http://127.0.0.1:${closed}: ECONNREFUSED`);
    const bad = join(out, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        name: 'bad',
        mix: [
          { weight: 0.7, request: 'recommendations' },
          { weight: 0.2, request: 'similar' },
        ],
      }),
    );
    await expect(bench('--scenario', bad, '--rate', '10', '--api-key', KEY)).rejects.toThrow(`${bad}: mix: weights sum to 0.9, not 1`);
    await expect(bench('--scenario', 'reference', '--rate', '10', '--api-key', KEY)).rejects.toThrow('--rate: scenario reference has virtual users');
    await expect(bench('--find-knee', '--slo', 'p99<<10', '--api-key', KEY)).rejects.toThrow('--slo "p99<<10": expected a percentile bound');
    await expect(targetMain(['--url', url, '--api-key', KEY, '--rate', '10', '--models-dir', join(out, 'none')], ROOT)).rejects.toThrow(/cannot find the user ids of model v1 .*--ids FILE/);
    const after = await routeCounts();
    // only the preflight's key checks reached the API (the three refused ones are 401s, which count too)
    expect((after['/v1/users/{userId}/recommendations'] ?? 0) - (before['/v1/users/{userId}/recommendations'] ?? 0)).toBeLessThanOrEqual(7);
    expect(after['/v1/items/{itemId}/similar'] ?? 0).toBe(before['/v1/items/{itemId}/similar'] ?? 0);
    expect(after['/v1/events'] ?? 0).toBe(before['/v1/events'] ?? 0);
  }, 60_000);
});

describe('open-loop latency', () => {
  let proc: ChildProcess;
  let stallUrl = '';
  beforeAll(async () => {
    proc = spawn(process.execPath, [join(import.meta.dirname, 'testing', 'stall-server.mjs'), '200', '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    stallUrl = await new Promise<string>((resolve) =>
      createInterface({ input: proc.stdout! }).on('line', (l) => {
        const j = JSON.parse(l) as { port?: number };
        if (j.port) resolve(`http://127.0.0.1:${j.port}`);
      }),
    );
  });
  afterAll(() => proc.kill('SIGKILL'));

  it('counts the time requests waited behind a stall from their intended send time', async () => {
    const scenario = validateScenario({ name: 'stall', arrival: { model: 'open' }, users: { unknownShare: 0 }, mix: [{ weight: 1, request: 'recommendations' }] }, 'test');
    const rate = 200;
    const step = await runStep({
      urls: [stallUrl],
      apiKey: null,
      insecure: false,
      scenario,
      ids: { users: ['a', 'b'], items: [] },
      rate,
      users: 0,
      thinkMs: 0,
      durationS: 3,
      workers: 0,
      maxConnections: 1000,
      timeoutMs: 5000,
      maxRequests: 10_000,
      seed: 1,
    });
    expect(step.counts.ok).toBe(600);
    // The server answers nothing for 1 s from about 1 s into the run. Requests intended during the
    // stall waited from their intended time to its end: ≈ rate × 1 s = 200 of them, spread evenly
    // from 0 to 1,000 ms, so ≈ 100 waited more than 500 ms and the slowest ≈ 1 s. A closed-loop
    // client with c connections would have recorded only c slow requests and sent fewer meanwhile.
    const over500 = step.latency.count * (1 - step.latency.shareAtOrBelow(500_000));
    expect(over500).toBeGreaterThan(50);
    expect(over500).toBeLessThan(250);
    expect(step.latency.maxUs).toBeGreaterThan(900_000);
    expect(step.latency.maxUs).toBeLessThan(2_500_000);
    expect(step.latency.quantile(0.5)).toBeLessThan(200_000);
    expect(step.sent).toBe(600);
  }, 30_000);
});

describe('targets and arrival models', () => {
  const scenario = validateScenario({ name: 't', arrival: { model: 'open' }, users: { unknownShare: 0 }, mix: [{ weight: 1, request: 'recommendations' }] }, 'test');
  const ids = { users: ['a', 'b', 'c'], items: [] };
  const step = { apiKey: 'k'.repeat(20), users: 0, thinkMs: 0, workers: 0, maxConnections: 100, timeoutMs: 5000, maxRequests: 10_000, seed: 1 };
  /** Starts `server` on a free loopback port; records the requests it sees. */
  async function listen(server: Server, seen: IncomingMessage[]): Promise<number> {
    server.on('request', (req, res) => {
      seen.push(req);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as { port: number }).port;
  }

  it('speaks TLS, and counts a certificate it may not trust as connection errors', async () => {
    const seen: IncomingMessage[] = [];
    const server = createHttpsServer(selfSignedCert());
    const port = await listen(server, seen);
    try {
      const ok = await runStep({ ...step, urls: [`https://127.0.0.1:${port}`], insecure: true, scenario, ids, rate: 100, durationS: 1 });
      expect(ok.counts).toEqual({ ok: 100, non2xx: 0, errors: 0, timeouts: 0 });
      expect(seen).toHaveLength(100);
      expect(seen[0]!.headers['x-api-key']).toBe('k'.repeat(20));
      const refused = await runStep({ ...step, urls: [`https://127.0.0.1:${port}`], insecure: false, scenario, ids, rate: 50, durationS: 1 });
      expect(refused.counts.errors).toBe(50);
      expect(Object.keys(refused.errorCodes)).toEqual(['DEPTH_ZERO_SELF_SIGNED_CERT']);
    } finally {
      server.close();
    }
  }, 30_000);

  it('spreads the rate evenly over several URLs', async () => {
    const seen: IncomingMessage[][] = [[], []];
    const servers = [createHttpServer(), createHttpServer()];
    const ports = await Promise.all(servers.map((s, i) => listen(s, seen[i]!)));
    try {
      const r = await runStep({ ...step, urls: ports.map((p) => `http://127.0.0.1:${p}`), insecure: false, scenario, ids, rate: 200, durationS: 1 });
      expect(r.counts.ok).toBe(200);
      expect(seen.map((s) => s.length)).toEqual([100, 100]);
    } finally {
      for (const s of servers) s.close();
    }
  }, 30_000);

  it('opens its connections before the measured window, in worker threads too', async () => {
    const seen: IncomingMessage[] = [];
    const server = createHttpServer();
    let connections = 0;
    let atFirstRequest = -1;
    server.on('connection', () => connections++);
    server.on('request', () => {
      if (atFirstRequest < 0) atFirstRequest = connections;
    });
    const port = await listen(server, seen);
    try {
      const o = { ...step, urls: [`http://127.0.0.1:${port}`], insecure: false, scenario, ids, rate: 300, durationS: 1 };
      const warm = warmConnections(o);
      expect(warm).toBe(23); // 50 ms of 300 req/s, plus 8
      const r = await runStep(o);
      expect(r.counts.ok).toBe(300);
      expect(atFirstRequest).toBe(warm); // all open before the first request left
      // more only when more than `warm` requests were in flight at once (a stall: the server shares this thread)
      expect(connections).toBe(warm + r.coldConnections);
      expect(r.peakConnections).toBe(connections);
      // the longest idle connection goes next: every open one carries requests, none idles out
      expect(new Set(seen.slice(0, 300).map((q) => q.socket)).size).toBe(connections);
      // worker threads need the compiled worker entry: run the compiled step, twice on the same threads
      const [built, builtThreads] = ensureBuilt(['bench/load/run.js', 'bench/load/threads.js']);
      const compiled = (await import(pathToFileURL(built!).href)) as typeof import('./run.js');
      const { GeneratorThreads } = (await import(pathToFileURL(builtThreads!).href)) as typeof import('./threads.js');
      const threads = new GeneratorThreads(2);
      try {
        for (let i = 0; i < 2; i++) {
          const t = await compiled.runStep({ ...o, workers: 2 }, threads);
          expect(t.counts.ok).toBe(300);
          expect(t.sent).toBe(300);
        }
      } finally {
        await threads.close();
      }
      await expect(compiled.runStep({ ...o, workers: 2 }, threads)).rejects.toThrow('closed');
      expect(seen).toHaveLength(900);
    } finally {
      server.close();
    }
  }, 30_000);

  it('runs virtual users who wait for their answer and think before the next request', async () => {
    const seen: IncomingMessage[] = [];
    const server = createHttpServer();
    const port = await listen(server, seen);
    try {
      const users = validateScenario({ name: 'vu', arrival: { model: 'users', users: 20, thinkMs: 100 }, users: { unknownShare: 0 }, mix: [{ weight: 1, request: 'recommendations' }] }, 'test');
      const r = await runStep({ ...step, urls: [`http://127.0.0.1:${port}`], insecure: false, scenario: users, ids, rate: NaN, users: 20, thinkMs: 100, durationS: 2 });
      // each user: one request per think time (≈ 100 ms, exponential) plus its answer → ≈ 20 × 2 s / 0.1 s = 400
      expect(r.counts.ok).toBeGreaterThan(250);
      expect(r.counts.ok).toBeLessThan(480);
      expect(r.peakConnections).toBeLessThanOrEqual(20); // never more requests in flight than users
      expect(seen.length).toBe(r.counts.ok);
    } finally {
      server.close();
    }
  }, 30_000);
});
