// Owns the processes under test: the API (the compiled `serve` entry, the same code as
// `recs serve`) and the bare endpoint, each a child process, started, awaited until it listens,
// and stopped with SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export interface Running {
  name: string;
  url: string;
  proc: ChildProcess;
  stop(): Promise<number | null>;
}

function startChild(name: string, script: string, args: string[], env: NodeJS.ProcessEnv, urlOf: (line: Record<string, unknown>) => string | null, timeoutMs = 600_000): Promise<Running> {
  const proc = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
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
          stop: () => {
            proc.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
  });
}

export function startApi(root: string, modelsDir: string, apiKey: string | null): Promise<Running> {
  return startChild('api', join(root, 'dist', 'ts', 'serve', 'main.js'), ['--models-dir', modelsDir, '--port', '0', '--log-level', 'info'], apiKey ? { RECS_API_KEYS: apiKey } : { RECS_API_KEYS: '' }, (l) =>
    l['msg'] === 'listening' ? String(l['url']) : null,
  );
}

export function startBare(root: string, bytes: number): Promise<Running> {
  return startChild('bare', join(root, 'dist', 'bench', 'serve', 'bare-server.js'), [String(bytes)], {}, (l) => (typeof l['port'] === 'number' ? `http://127.0.0.1:${l['port']}` : null));
}
