// Builds the Rust N-API addon (crates/als-node, release, LTO) through @napi-rs/cli:
// `napi build --platform --release` names it native/als.<platform>.node (e.g.
// als.linux-x64-gnu.node), the name the loader in ts/engine and the platform packages use.
// The binding is hand-written (no napi-derive), so napi writes no .d.ts or JS glue: its warning
// about skipping them is expected. Extra arguments go to `napi build` (e.g. --target for a release).
//
// --if-available (the install hook): without `cargo` on PATH, say so and exit 0: the platform
// package or the WASM engine will run instead.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const ifAvailable = args.includes('--if-available');
const cargo = process.env.CARGO ?? 'cargo';

const probe = spawnSync(cargo, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  const why = probe.error ? probe.error.message : `exit ${probe.status}`;
  if (ifAvailable) {
    console.warn(`build-native: skipped, no Rust toolchain ("${cargo}": ${why}).`);
    process.exit(0);
  }
  console.error(`build-native: could not run "${cargo}": ${why}. Install Rust (stable, https://rustup.rs) and retry.`);
  process.exit(1);
}

const napi = join(root, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js');
const napiArgs = ['build', '--platform', '--release', '--manifest-path', 'crates/als-node/Cargo.toml', '--package-json-path', 'package.json', '--output-dir', 'native', '--no-js'];
const passed = args.filter((a) => a !== '--if-available');
const r = spawnSync(process.execPath, [napi, ...napiArgs, ...passed], { cwd: root, stdio: 'inherit', env: { ...process.env, CARGO: cargo } });
if (r.error) {
  console.error(`build-native: could not run @napi-rs/cli (${napi}): ${r.error.message}. Run \`pnpm install\` first.`);
  process.exit(1);
}
process.exit(r.status ?? 1);
