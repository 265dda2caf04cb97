import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from './package-root.js';

const dir = mkdtempSync(join(tmpdir(), 'recs-root-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('packageRoot', () => {
  it('finds the nearest package.json above a module, from a path or a file URL', () => {
    writeFileSync(join(dir, 'package.json'), '{}');
    mkdirSync(join(dir, 'dist', 'ts', 'serve'), { recursive: true });
    const file = join(dir, 'dist', 'ts', 'serve', 'x.js');
    expect(packageRoot(file)).toBe(dir);
    expect(packageRoot(pathToFileURL(file).href)).toBe(dir);
  });

  it('is this repository for its own module', () => {
    expect(existsSync(join(packageRoot(), 'pnpm-lock.yaml'))).toBe(true);
  });
});
