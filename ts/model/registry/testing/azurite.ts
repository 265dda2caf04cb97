// Owns a throwaway Azurite (the Azure Storage emulator, from npm) for tests: its blob service
// alone, as a child process on a free loopback port (it reports the port it took), with its data
// in a temporary directory; dispose() stops it and removes the directory.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestAzurite {
  /** http://127.0.0.1:<port>/devstoreaccount1 */
  blobEndpoint: string;
  /** A connection string with Azurite's well-known development account key. */
  connectionString: string;
  dispose(): Promise<void>;
}

// Azurite's documented development account (public, the same in every installation).
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export async function startAzurite(): Promise<TestAzurite> {
  const main = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  const dir = mkdtempSync(join(tmpdir(), 'recs-azurite-'));
  const proc: ChildProcess = spawn(process.execPath, [main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--location', dir, '--skipApiVersionCheck', '--loose', '--disableTelemetry'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`azurite did not start within 20 s: ${out}`)), 20_000);
    const seen = (d: Buffer) => {
      out += d.toString();
      const m = /successfully listens on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', seen);
    proc.stderr!.on('data', seen);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited (${code}) before listening: ${out}`));
    });
  }).catch((e: unknown) => {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  const blobEndpoint = `${url.replace(/\/$/, '')}/${ACCOUNT}`;
  return {
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${blobEndpoint};`,
    async dispose() {
      if (proc.exitCode === null && proc.signalCode === null) {
        await new Promise<void>((resolve) => {
          proc.once('exit', () => resolve());
          proc.kill('SIGKILL');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
