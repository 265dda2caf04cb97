// Owns making sure the compiled server (dist/, from `pnpm build:ts`) is current before tests
// start it as a child process: when any TypeScript source under ts/ or bench/ is newer than the
// compiled entries, it runs tsc once. tsc still writes its output when other files have type errors, so
// only missing or stale entries afterwards are a failure.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../util/package-root.js';

export const ROOT = packageRoot();

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Absolute paths of the compiled `entries` (paths under dist/, e.g. 'ts/cli/serve-main.js'). */
export function ensureBuilt(entries: string[]): string[] {
  const paths = entries.map((e) => join(ROOT, 'dist', e));
  const stale = () => {
    const source = Math.max(newestSource(join(ROOT, 'ts')), newestSource(join(ROOT, 'bench')));
    return paths.some((p) => !existsSync(p) || statSync(p).mtimeMs < source);
  };
  if (!stale()) return paths;
  const tsc = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (stale()) throw new Error(`tsc -p tsconfig.build.json did not produce ${entries.join(', ')}:\n${tsc.stdout}${tsc.stderr}`);
  return paths;
}
