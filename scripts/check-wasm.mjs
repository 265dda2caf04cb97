// Checks that the committed WebAssembly modules (native/als-relaxed.wasm, als-simd.wasm,
// als.wasm) are what their source builds: rebuilds them with the pinned toolchain (Debian's
// rustc-web, cargo-web, rust-web-src, lld-22; scripts/build-wasm.mjs) into .cache/wasm-check and
// compares the bytes (SHA-256 printed for each). Fails naming every module that differs, with
// the command that refreshes them. Run by .ci/run and the release workflow (`pnpm check:wasm`).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODULES = ['als-relaxed.wasm', 'als-simd.wasm', 'als.wasm'];
const out = join(root, '.cache', 'wasm-check');

const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs'), '--out', out], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ALS_WASM_TOOLCHAIN: 'debian' },
});
if (r.status !== 0) process.exit(r.status ?? 1);

const sha = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');
const stale = [];
for (const m of MODULES) {
  const committed = join(root, 'native', m);
  const built = sha(join(out, m));
  const have = existsSync(committed) ? sha(committed) : 'missing';
  console.log(`check-wasm: native/${m} ${have === built ? 'matches' : 'DIFFERS'}: committed ${have}, rebuilt ${built}`);
  if (have !== built) stale.push(`native/${m}`);
}
if (stale.length > 0) {
  console.error(
    `check-wasm: ${stale.join(', ')} do not match the source. Rebuild them with ` +
      '`ALS_WASM_TOOLCHAIN=debian pnpm build:wasm` (Debian bookworm-security: rustc-web cargo-web rust-web-src lld-22) and commit them.',
  );
  process.exit(1);
}
