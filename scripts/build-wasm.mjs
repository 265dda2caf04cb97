// Builds crates/als-wasm for wasm32-unknown-unknown three times: simd128 with relaxed-simd (fused
// multiply-add), simd128, and no SIMD, and copies the modules to native/als-relaxed.wasm,
// native/als-simd.wasm and native/als.wasm (`pnpm build:wasm`; `--out DIR` writes them elsewhere).
// The modules are committed (a machine without Rust runs them): scripts/check-wasm.mjs rebuilds
// them and fails when a byte differs.
//
// Toolchain: the pinned one is Debian's rustc-web, cargo-web, rust-web-src and lld-22
// (bookworm-security), building std from source (-Zbuild-std) offline, with crates-io replaced by
// the std sources' vendored crates and wasm-ld-22 as the linker, all passed as --config flags
// (nothing in .cargo/config.toml); the first build compiles std (about a minute per variant).
// Where it is absent, rustup's wasm32-unknown-unknown target builds working modules whose bytes
// differ from the committed ones. ALS_WASM_TOOLCHAIN=rustup|debian picks one explicitly.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = 'wasm32-unknown-unknown';
const APT = 'apt-get install -y rustc-web cargo-web rust-web-src lld-22';
const DEBIAN = { cargo: '/usr/bin/cargo', rustc: '/usr/bin/rustc', linker: '/usr/bin/wasm-ld-22' };
// `pnpm install` builds WASM only where a toolchain exists: without one it says so and goes on.
const ifAvailable = process.argv.includes('--if-available');

function fail(msg) {
  console.error(`build-wasm: ${msg}`);
  process.exit(1);
}

function output(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function rustupHasTarget() {
  return (output('rustup', ['target', 'list', '--installed']) ?? '').split('\n').includes(TARGET);
}

/** Cargo invocation (command, args prefix, env) for the chosen toolchain. */
function toolchain() {
  const wanted = process.env.ALS_WASM_TOOLCHAIN;
  const missing = Object.values(DEBIAN).filter((p) => !existsSync(p));
  const sysroot = existsSync(DEBIAN.rustc) ? output(DEBIAN.rustc, ['--print', 'sysroot']) : null;
  const vendor = sysroot && join(sysroot, 'lib', 'rustlib', 'src', 'rust', 'library', 'vendor');
  if (!vendor || !existsSync(vendor)) missing.push('the std sources with vendored crates (rust-web-src)');
  if (wanted === 'rustup' || (wanted !== 'debian' && missing.length > 0 && rustupHasTarget())) {
    if (!rustupHasTarget()) fail(`rustup has no ${TARGET} target; run \`rustup target add ${TARGET}\``);
    console.warn(`build-wasm: rustup's toolchain: the modules work but their bytes differ from the committed ones (built by \`${APT}\`).`);
    return { name: 'rustup', cmd: process.env.CARGO ?? 'cargo', args: [], env: {} };
  }
  if (missing.length > 0) {
    if (ifAvailable) {
      console.warn(`build-wasm: skipped, no WebAssembly toolchain (missing: ${missing.join(', ')}). The WASM engine and its tests need \`${APT}\` then \`pnpm build:wasm\`.`);
      process.exit(0);
    }
    fail(
      `no WebAssembly toolchain: rustup has no ${TARGET} target, and Debian's is incomplete ` +
        `(missing: ${missing.join(', ')}).\n  Either \`rustup target add ${TARGET}\`, or \`${APT}\` (Debian bookworm-security).`,
    );
  }
  const config = [`source.crates-io.replace-with="vendored-std"`, `source.vendored-std.directory="${vendor}"`, `target.${TARGET}.linker="${DEBIAN.linker}"`];
  return {
    name: `debian (${output(DEBIAN.rustc, ['--version'])})`,
    cmd: DEBIAN.cargo,
    args: ['-Zbuild-std=std,panic_abort', '--offline', ...config.flatMap((c) => ['--config', c])],
    env: { RUSTC: DEBIAN.rustc, RUSTC_BOOTSTRAP: '1' },
  };
}

const outAt = process.argv.indexOf('--out');
const outDir = outAt > 0 ? process.argv[outAt + 1] : join(root, 'native');
const tc = toolchain();
console.log(`build-wasm: toolchain ${tc.name}`);
mkdirSync(outDir, { recursive: true });
const variants = [
  { out: 'als-relaxed.wasm', dir: 'wasm-relaxed', features: '+simd128,+relaxed-simd' },
  { out: 'als-simd.wasm', dir: 'wasm-simd', features: '+simd128,-relaxed-simd' },
  { out: 'als.wasm', dir: 'wasm-scalar', features: '-simd128' },
];
for (const v of variants) {
  const targetDir = join(root, 'target', v.dir);
  const args = [
    'build',
    '--release',
    '-p',
    'als-wasm',
    '--target',
    TARGET,
    '--target-dir',
    targetDir,
    ...tc.args,
    '--config',
    'profile.release.panic="abort"',
    '--config',
    // No symbol names (they carry hashes of the build's metadata): only code, data and exports.
    // Paths in panic messages are the workspace-relative ones, so any clone builds the same bytes.
    `target.${TARGET}.rustflags=["-C", "target-feature=${v.features}", "-C", "strip=symbols"]`,
  ];
  const r = spawnSync(tc.cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...tc.env } });
  if (r.error) fail(`could not run ${tc.cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`cargo failed building ${v.out} (exit ${r.status})`);
  const built = join(targetDir, TARGET, 'release', 'als_wasm.wasm');
  if (!existsSync(built)) fail(`cargo succeeded but ${built} is missing`);
  copyFileSync(built, join(outDir, v.out));
  console.log(`build-wasm: ${join(outDir, v.out)} (${Math.round(statSync(built).size / 1024)} KiB) <- ${built}`);
}
