// The compiled server as a child process (dist/, rebuilt first when stale: see
// ./testing/build.ts): SIGTERM with requests in flight (they all finish, new connections are
// refused, exit 0), the shutdown deadline (exit 1 on time), and the CLI entry end to end
// (options, the worker-thread model loader, a hot reload, SIGINT).

import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './testing/build.js';
import { fixtureRegistry, getJson, writeFixture } from './testing/fixtures.js';

let mainJs: string;
let slowJs: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  [mainJs, slowJs] = ensureBuilt(['ts/cli/serve-main.js', 'ts/serve/testing/slow-server.js', 'ts/serve/load-worker.js']) as [string, string];
}, 120_000);

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Child {
  proc: ChildProcess;
  url: string;
  lines: Record<string, unknown>[];
  exit: Promise<{ code: number | null; at: number }>;
  waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Starts `node <script> ...args` and resolves once it logs that it listens. */
async function start(script: string, args: string[], env: Record<string, string> = {}): Promise<Child> {
  const proc = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ text: line });
    }
    for (const w of waiters) w();
  });
  const exit = new Promise<{ code: number | null; at: number }>((r) => proc.on('exit', (code) => r({ code, at: Date.now() })));
  const waitFor = (pred: (l: Record<string, unknown>) => boolean, timeoutMs = 20_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; log so far:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n${stderr}`)), timeoutMs);
      const check = () => {
        const hit = lines.find(pred);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        }
      };
      waiters.push(check);
      void exit.then(() => setTimeout(() => reject(new Error(`exited; log:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n${stderr}`)), 50));
      check();
    });
  const listening = await waitFor((l) => l['msg'] === 'listening');
  return { proc, url: String(listening['url']), lines, exit, waitFor };
}

/** A GET on a new connection (no keep-alive pool), resolving to the status or the error code. */
function freshGet(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });
}

describe('graceful shutdown (child process)', () => {
  it('SIGTERM: requests in flight finish, new connections are refused, exit 0', async () => {
    const registry = fixtureRegistry('v1');
    const child = await start(slowJs, [registry.root, '800', '5000']);
    const inFlight = Array.from({ length: 20 }, (_, i) => getJson(`${child.url}/v1/users/u${i % 5}/recommendations?k=2`));
    await new Promise((r) => setTimeout(r, 200));
    const signalled = Date.now();
    child.proc.kill('SIGTERM');
    await child.waitFor((l) => l['msg'] === 'shutting down: no new connections; finishing requests in flight');
    expect(await freshGet(`${child.url}/healthz`)).toBe('ECONNREFUSED');
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.every((a) => a.body.modelVersion === 'v1' && a.body.source === 'precomputed')).toBe(true);
    const { code, at } = await child.exit;
    expect(code).toBe(0);
    expect(at - signalled).toBeLessThan(5000);
    expect(child.lines.find((l) => l['msg'] === 'shutting down: no new connections; finishing requests in flight')?.['inFlight']).toBe(20);
    expect(child.lines.find((l) => l['msg'] === 'server closed')).toMatchObject({ clean: true, abandoned: 0 });
  });

  it('SIGTERM under keep-alive load: every client sees Connection: close, none a reset; exit 0', async () => {
    const registry = fixtureRegistry('v1');
    const child = await start(mainJs, ['--models-dir', registry.root, '--port', '0', '--shutdown-deadline', '5']);
    const { hostname, port } = new URL(child.url);
    let signalled = false;
    const outcome = { ok: 0, closeHeaders: 0, refused: 0, resets: [] as string[] };
    const client = async (n: number) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (;;) {
        const r = await new Promise<{ status: number; close: boolean } | { error: string }>((resolve) => {
          const req = request({ host: hostname, port, path: `/v1/users/u${n % 20}/recommendations?k=5`, agent }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode!, close: res.headers.connection === 'close' }));
            res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
          });
          req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
          req.end();
        });
        if ('error' in r) {
          // after the signal, new connections are refused: that ends this client
          if (r.error === 'ECONNREFUSED' && signalled) outcome.refused++;
          else outcome.resets.push(r.error);
          break;
        }
        expect(r.status).toBe(200);
        outcome.ok++;
        if (r.close) outcome.closeHeaders++;
      }
      agent.destroy();
    };
    const clients = Array.from({ length: 16 }, (_, n) => client(n));
    await new Promise((r) => setTimeout(r, 700));
    signalled = true;
    child.proc.kill('SIGTERM');
    await Promise.all(clients);
    expect(outcome.resets).toEqual([]);
    expect(outcome.refused).toBe(16);
    expect(outcome.closeHeaders).toBeGreaterThanOrEqual(16);
    expect(outcome.ok).toBeGreaterThan(100);
    expect((await child.exit).code).toBe(0);
  });

  it('gives up at the deadline: exit 1, the requests still running are cut off', async () => {
    const registry = fixtureRegistry('v1');
    const child = await start(slowJs, [registry.root, '30000', '300']);
    const stuck = Array.from({ length: 3 }, () =>
      fetch(`${child.url}/v1/users/u1/recommendations`).then(
        (r) => r.status,
        () => 'failed',
      ),
    );
    await new Promise((r) => setTimeout(r, 200));
    const signalled = Date.now();
    child.proc.kill('SIGTERM');
    const { code, at } = await child.exit;
    expect(code).toBe(1);
    expect(at - signalled).toBeLessThan(2000);
    expect(await Promise.all(stuck)).toEqual(['failed', 'failed', 'failed']);
    expect(child.lines.find((l) => l['msg'] === 'shutdown deadline passed; closing the remaining connections')).toMatchObject({ abandoned: 3 });
  });
});

describe('the serve entry (child process)', () => {
  it('serves, loads models in a worker thread, hot-reloads, and stops on SIGINT', async () => {
    const registry = fixtureRegistry('v1');
    const child = await start(mainJs, ['--models-dir', registry.root, '--port', '0', '--log-level', 'debug', '--reload-interval', '0.2', '--shutdown-deadline', '3'], {
      RECS_API_KEYS: 'cli-key-0123456789abcdef',
    });
    expect(child.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(child.lines.find((l) => l['msg'] === 'model loaded')).toMatchObject({ version: 'v1', loader: 'worker' });
    const headers = { 'x-api-key': 'cli-key-0123456789abcdef' };
    expect((await getJson(`${child.url}/v1/users/u1/recommendations`)).status).toBe(401);
    expect((await getJson(`${child.url}/v1/users/u1/recommendations?k=1`, { headers })).body.modelVersion).toBe('v1');
    writeFixture(registry, 'v2');
    registry.activate('v2');
    expect(await child.waitFor((l) => l['msg'] === 'swapped in the new model')).toMatchObject({ version: 'v2', previous: 'v1', loader: 'worker' });
    expect((await getJson(`${child.url}/v1/users/u1/recommendations?k=1`, { headers })).body.modelVersion).toBe('v2');
    expect(child.lines.some((l) => l['msg'] === 'request' && l['level'] === 20 && l['status'] === 401)).toBe(true);
    child.proc.kill('SIGINT');
    expect((await child.exit).code).toBe(0);
  });

  it('exits 1 with a clear message when --require-auth has no keys, 2 on a bad option, 0 for --help', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(process.execPath, [mainJs, ...args], { env: { ...process.env, RECS_API_KEYS: '', RECS_API_KEYS_FILE: '' } });
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (out += d));
        p.on('exit', (code) => resolve({ code, out }));
      });
    const registry = fixtureRegistry('v1');
    const auth = await run(['--models-dir', registry.root, '--port', '0', '--require-auth']);
    expect(auth.code).toBe(1);
    expect(auth.out).toMatch(/authentication is required .* no API keys are configured/);
    const bad = await run(['--port', 'eighty']);
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/--port must be a number/);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--shutdown-deadline S/);
  });
});
