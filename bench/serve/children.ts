// Owns the processes under test: the API (the compiled `serve` entry, the same code as
// `recs serve`, with the embedded store or a remote one configured by environment), the bare
// endpoint, the bare uWS + ioredis endpoint and the Cosmos DB test server, each a child process,
// started, awaited until it listens, and stopped with SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { current, onCores } from './cores.js';

export interface Running {
  name: string;
  url: string;
  proc: ChildProcess;
  /** The line the child printed when it listened. */
  info: Record<string, unknown>;
  stop(): Promise<number | null>;
}

function startChild(name: string, script: string, args: string[], env: NodeJS.ProcessEnv, urlOf: (line: Record<string, unknown>) => string | null, timeoutMs = 600_000): Promise<Running> {
  const [cmd, argv] = onCores(current.plan.server, process.execPath, [script, ...args]);
  const proc = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not listening after ${timeoutMs / 1000} s`)), timeoutMs);
    void exited.then((code) => reject(new Error(`${name} exited with code ${code} before listening`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (Number(parsed['level']) >= 50) process.stderr.write(`${name}: ${line}\n`);
      const url = urlOf(parsed);
      if (url) {
        clearTimeout(timer);
        resolve({
          name,
          url,
          proc,
          info: parsed,
          stop: () => {
            proc.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
  });
}

/** The API; `storeEnv` selects and configures its store (RECS_STORE, RECS_REDIS_URL, …; default embedded). */
export function startApi(root: string, modelsDir: string, apiKey: string | null, storeEnv: NodeJS.ProcessEnv = { RECS_STORE: 'embedded' }, name = 'api'): Promise<Running> {
  return startChild(name, join(root, 'dist', 'ts', 'cli', 'serve-main.js'), ['--models-dir', modelsDir, '--port', '0', '--log-level', 'info'], { RECS_API_KEYS: apiKey ?? '', ...storeEnv }, (l) =>
    l['msg'] === 'listening' ? String(l['url']) : null,
  );
}

/** A bare uWS endpoint doing one ioredis GET of the user's key of `version` per request. */
export function startBareRedis(root: string, redisUrl: string, prefix: string, version: string): Promise<Running> {
  return startChild(
    'bare-redis',
    join(root, 'dist', 'bench', 'serve', 'bare-redis-server.js'),
    [redisUrl, prefix, version],
    {},
    (l) => (typeof l['port'] === 'number' ? `http://127.0.0.1:${l['port']}` : null),
    60_000,
  );
}

/** @vercel/cosmosdb-server over HTTPS; `info.cert` is the path of its certificate (PEM). */
export function startCosmosServer(root: string): Promise<Running> {
  return startChild('cosmos', join(root, 'dist', 'bench', 'serve', 'cosmos-server.js'), [], {}, (l) => (typeof l['endpoint'] === 'string' ? l['endpoint'] : null), 60_000);
}

export function startBare(root: string, bytes: number): Promise<Running> {
  return startChild('bare', join(root, 'dist', 'bench', 'serve', 'bare-server.js'), [String(bytes)], {}, (l) => (typeof l['port'] === 'number' ? `http://127.0.0.1:${l['port']}` : null));
}
