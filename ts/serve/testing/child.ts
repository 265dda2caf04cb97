// Owns starting a compiled server as a child process for tests: spawned with its arguments and
// environment, awaited until it logs "listening" (its URL), rejected with its stderr when it exits
// first. Every child is remembered, so a test file's afterEach can kill whatever still runs.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServerChild {
  proc: ChildProcess;
  url: string;
}

const running: ChildProcess[] = [];

/** `node script ...args`; resolves once the server listens. */
export function startServerChild(script: string, args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ServerChild> {
  const proc = spawn(process.execPath, [script, ...args], { env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], ...(o.cwd !== undefined && { cwd: o.cwd }) });
  running.push(proc);
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      let l: Record<string, unknown>;
      try {
        l = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (l['msg'] === 'listening') resolve({ proc, url: String(l['url']) });
    });
  });
}

/** Kills (SIGKILL) every child started here that still runs. */
export function killServerChildren(): void {
  for (const c of running.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
