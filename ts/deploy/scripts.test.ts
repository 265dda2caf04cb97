// Owns the check of the repository's shell scripts (scripts/*.sh and the helpers they source,
// scripts/lib/*.sh): shellcheck passes on each, following the sourced files.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../scripts/validate-k8s.mjs';

const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
if (!shellcheck) console.warn('SKIPPED: shellcheck of scripts/*.sh (apt-get install -y shellcheck)');

const scripts = ['scripts', 'scripts/lib'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.sh'))
    .map((f) => `${dir}/${f}`),
);

describe('shell scripts', () => {
  it('include the helper both root-making scripts source', () => {
    expect(scripts).toEqual(expect.arrayContaining(['scripts/node24-root.sh', 'scripts/validate-image.sh', 'scripts/lib/cached-root.sh']));
  });

  it.skipIf(!shellcheck).each(scripts)('%s passes shellcheck', (script) => {
    const r = spawnSync('shellcheck', ['-x', script], { cwd: root, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
