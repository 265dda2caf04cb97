// Tests the README's promise that `pnpm <command>` is `recs <command>`: every command has a
// package.json script running it, `recs` is the package's bin, and the bin file starts with a
// shebang (so `recs` runs from PATH after `npm install -g` or `pnpm link --global`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { commands } from './commands/index.js';
import { root } from '../../scripts/validate-k8s.mjs';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };

describe('pnpm scripts and the recs bin', () => {
  it.each(commands.map((c) => c.name))('`pnpm %s` runs `recs %s`', (name) => {
    expect(pkg.scripts[name]).toBe(`node ${pkg.bin.recs} ${name}`);
  });

  it('`pnpm recs` and the bin run the CLI entry point', () => {
    expect(pkg.bin.recs).toBe('dist/ts/cli/main.js');
    expect(pkg.scripts.recs).toBe('node dist/ts/cli/main.js');
    expect(readFileSync(join(root, 'ts', 'cli', 'main.ts'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
