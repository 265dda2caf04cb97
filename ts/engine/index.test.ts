// Tests engine selection: the loader's order (ALS_NATIVE_PATH, local build, platform package,
// WASM), ENGINE=native|wasm, the refusal of a corrupt or foreign addon (named by path, WASM used
// instead) and of a platform package of another version, and the loaders' messages when a build
// is missing. Cases needing the WASM modules skip, saying why, when they are not built.

import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { chooseEngine, loadEngine } from './index.js';
import { findAddon, loadAddon, nativeAddonPath } from './native.js';
import { addonCandidates, platformName } from './native-locate.js';
import { loadWasmModule } from './wasm.js';
import { wasmTestsEnabled } from './wasm-engines.js';

const wasm = wasmTestsEnabled();
const tmp = mkdtempSync(join(tmpdir(), 'recs-engine-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function withEnv(vars: Record<string, string | undefined>, f: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v))
      if (x === undefined) delete process.env[k];
      else process.env[k] = x;
  };
  set(vars);
  try {
    f();
  } finally {
    set(saved);
  }
}

describe('loadEngine', () => {
  it('picks the native engine (the local build) by default', () => {
    withEnv({ ENGINE: undefined }, () => {
      const { engine, line } = chooseEngine();
      expect(engine.kind).toBe('native');
      expect(['avx512', 'avx2+fma', 'portable']).toContain(engine.kernelName());
      expect(line).toBe(`als engine: native (local build: ${nativeAddonPath()})`);
    });
  });

  it.skipIf(!wasm)('picks the WASM engine when ENGINE=wasm', () => {
    withEnv({ ENGINE: 'wasm' }, () => {
      const engine = loadEngine();
      expect(engine.kind).toBe('wasm');
      expect(engine.kernelName()).toBe('simd128');
    });
  });

  it.skipIf(!wasm)('falls back to WASM, in one line saying why and how to get native, unless native is asked for', () => {
    withEnv({ ENGINE: undefined, ALS_NATIVE_PATH: '/nonexistent/als.node' }, () => {
      const { engine, line, fallback } = chooseEngine();
      expect([engine.kind, fallback]).toEqual(['wasm', true]);
      expect(line).toMatch(/^als engine: WASM \(simd128[^,]*, \d worker threads?\); no native addon loads \(ALS_NATIVE_PATH=\/nonexistent\/als\.node does not exist\)/);
      expect(line).toContain('install Rust (https://rustup.rs), then `pnpm build:native`');
      expect(line).not.toContain('\n');
      expect(() => loadEngine('native')).toThrow(/ALS_NATIVE_PATH=\/nonexistent\/als\.node does not exist/);
    });
  });

  it.skipIf(!wasm)('refuses a corrupt addon, naming its path, and runs WASM instead', () => {
    const corrupt = join(tmp, 'corrupt.node');
    writeFileSync(corrupt, 'not a shared library');
    withEnv({ ENGINE: undefined, ALS_NATIVE_PATH: corrupt }, () => {
      const { engine, line } = chooseEngine();
      expect(engine.kind).toBe('wasm');
      expect(line).toContain(`refused ${corrupt}: it does not load (`);
    });
  });

  it('refuses an addon that is not a build of crates/als-node', () => {
    const foreign = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
    expect(() => loadAddon(foreign)).toThrow(`refused ${foreign}: not a build of crates/als-node (missing fit, topK,`);
  });

  it('rejects an unknown engine name', () => {
    expect(() => loadEngine('gpu')).toThrow(/unknown ENGINE "gpu"/);
  });
});

describe('the platform package', () => {
  /** A package root named `pkg` at `version`, with pkg-<platform> installed at `platformVersion`. */
  function fakeInstall(dir: string, version: string, platformVersion: string): string {
    const root = join(tmp, dir);
    const platform = platformName() as string;
    const pkgDir = join(root, 'node_modules', `pkg-${platform}`);
    mkdirSync(pkgDir, { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'pkg', version }));
    writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ name: `pkg-${platform}`, version: platformVersion, main: `als.${platform}.node` }));
    copyFileSync(nativeAddonPath(), join(pkgDir, `als.${platform}.node`));
    return root;
  }

  it.skipIf(platformName() === null)('is used when there is no local build', () => {
    withEnv({ ALS_NATIVE_PATH: undefined }, () => {
      const root = fakeInstall('same', '1.2.3', '1.2.3');
      const { candidates, absent } = addonCandidates(root);
      expect(candidates.map((c) => c.source)).toEqual(['platform package']);
      expect(absent).toEqual([`no local build (${join(root, 'native', `als.${platformName()}.node`)})`]);
      const found = findAddon(root);
      expect([found.source, dirname(found.path)]).toEqual(['platform package', join(root, 'node_modules', `pkg-${platformName()}`)]);
      expect(found.addon.kernelName()).toMatch(/avx512|avx2\+fma|portable/);
    });
  });

  it.skipIf(platformName() === null)('is refused when its version is not the package version', () => {
    withEnv({ ALS_NATIVE_PATH: undefined }, () => {
      const root = fakeInstall('other', '1.2.3', '1.2.2');
      expect(() => findAddon(root)).toThrow(/refused .*als\.[\w-]+\.node: pkg-[\w-]+ is version 1\.2\.2, this package needs 1\.2\.3/);
    });
  });

  it('is named as napi-rs names platforms', () => {
    expect(platformName('linux', 'x64', false)).toBe('linux-x64-gnu');
    expect(platformName('linux', 'arm64', true)).toBe('linux-arm64-musl');
    expect(platformName('darwin', 'arm64')).toBe('darwin-arm64');
    expect(platformName('win32', 'x64')).toBe('win32-x64-msvc');
    expect(platformName('freebsd', 'x64')).toBeNull();
  });
});

describe('loadAddon', () => {
  it('finds native/als.<platform>.node at the repository root', () => {
    expect(nativeAddonPath()).toMatch(/native[\\/]als\.[\w-]+\.node$/);
  });

  it('fails loudly, naming the fix, when a build is missing', () => {
    expect(() => loadWasmModule('/nonexistent/als.wasm')).toThrow(/WebAssembly module not found at \/nonexistent\/als\.wasm; run `pnpm build:wasm`/);
    expect(() => loadAddon('/nonexistent/als.node')).toThrow(/native addon not found at \/nonexistent\/als\.node; run `pnpm build:native`/);
  });
});
