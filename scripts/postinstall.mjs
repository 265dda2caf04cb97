// The install hook (`pnpm install` in a clone, `npm install realtime-recs` from the registry).
// In a clone: builds the native addon where `cargo` is on PATH (`pnpm build:native`), else says it
// is skipped; compiles the TypeScript; builds the WASM modules only if they are missing (they are
// committed, built by the pinned toolchain: scripts/check-wasm.mjs); links `recs` into
// node_modules/.bin for `pnpm exec recs`. Everywhere: prints one line
// saying which engine will run and, when it is WASM, how to get the native one.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const inClone = existsSync(join(root, 'crates')) && existsSync(join(root, 'tsconfig.build.json'));

function step(script, args = []) {
  const r = spawnSync(process.execPath, [join(root, script), ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (inClone) {
  step('scripts/build-native.mjs', ['--if-available']);
  step('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.build.json']);
  if (!existsSync(join(root, 'native', 'als-simd.wasm')) || !existsSync(join(root, 'native', 'als.wasm'))) {
    step('scripts/build-wasm.mjs', ['--if-available']);
  }
  // `pnpm exec recs` in the clone: pnpm links the bins of dependencies only, not the package's own.
  const main = join(root, 'dist', 'ts', 'cli', 'main.js');
  chmodSync(main, 0o755);
  if (process.platform !== 'win32') {
    const bin = join(root, 'node_modules', '.bin', 'recs');
    rmSync(bin, { force: true });
    mkdirSync(dirname(bin), { recursive: true });
    symlinkSync(relative(dirname(bin), main), bin);
  }
}

try {
  const { chooseEngine } = await import(pathToFileURL(join(root, 'dist', 'ts', 'engine', 'index.js')).href);
  const { line } = chooseEngine('');
  console.log(`realtime-recs: ${line.replace(/^als engine: /, 'engine: ')}`);
} catch (e) {
  // Nothing to run on: say why in one line, and fail the install (every command would fail too).
  console.error(`realtime-recs: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
  process.exit(1);
}
