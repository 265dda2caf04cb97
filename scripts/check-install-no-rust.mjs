// The README's promise for a machine with Node only: in a copy of this checkout (its tracked and
// unignored files, as a fresh clone has them) with no `cargo`, `rustc` or `rustup` on PATH,
// `pnpm install --frozen-lockfile` succeeds, says it skips the native build and which engine will
// run (WASM, with the hint to get the native one); then `pnpm start` trains (offline: the
// synthetic set) and serves, and a recommendation comes back. Run by .ci/run; packages come from
// the pnpm store the checkout's own install filled (`--offline`), as on a machine that has them.
// Usage: node scripts/check-install-no-rust.mjs [--keep]   (exit 0 when all of that holds)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'recs-no-rust-'));
const RUST = /^(cargo|rustc|rustup|rustdoc|rust-)/;

function fail(msg) {
  console.error(`check-install-no-rust: FAILED: ${msg}\n  (the copy is in ${work})`);
  process.exit(1);
}

// 1. The clone: what git tracks plus new unignored files (the committed WASM modules among them).
const copy = join(work, 'repo');
const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
for (const f of files) {
  if (!existsSync(join(root, f))) continue; // deleted in the work tree
  mkdirSync(dirname(join(copy, f)), { recursive: true });
  copyFileSync(join(root, f), join(copy, f));
}
for (const m of ['als.wasm', 'als-simd.wasm']) if (!existsSync(join(copy, 'native', m))) fail(`native/${m} is not committed`);

// 2. PATH without Rust: each PATH folder holding a Rust tool is replaced by a folder of links to
// everything else in it.
const path = process.env.PATH.split(delimiter).map((dir, i) => {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return dir;
  }
  if (!names.some((n) => RUST.test(n))) return dir;
  const shadow = join(work, 'path', String(i));
  mkdirSync(shadow, { recursive: true });
  for (const n of names) if (!RUST.test(n)) symlinkSync(join(dir, n), join(shadow, n));
  return shadow;
});
const env = { ...process.env, PATH: path.join(delimiter), CI: '', RECS_MODELS_DIR: join(work, 'models'), RECS_CACHE_DIR: join(work, 'cache'), HOME: process.env.HOME };
for (const k of ['CARGO', 'CARGO_HOME', 'RUSTUP_HOME', 'RUSTC', 'ENGINE', 'ALS_NATIVE_PATH', 'ALS_WASM_PATH']) delete env[k];
if (spawnSync('cargo', ['--version'], { env }).error === undefined) fail('cargo is still on PATH');

// 3. The install.
console.log(`check-install-no-rust: pnpm install in ${copy}, cargo not on PATH`);
const install = spawnSync('pnpm', ['install', '--frozen-lockfile', '--offline'], { cwd: copy, env, encoding: 'utf8' });
const out = install.stdout + install.stderr;
if (install.status !== 0) fail(`pnpm install exited ${install.status}:\n${out}`);
const skipped = out.match(/build-native: skipped, no Rust toolchain[^\n]*/)?.[0];
const engine = out.match(/realtime-recs: engine: [^\n]*/)?.[0];
if (!skipped) fail(`the install did not say it skipped the native build:\n${out}`);
if (!engine || !/engine: WASM \(simd128/.test(engine) || !engine.includes('pnpm build:native')) fail(`expected the WASM engine and the hint to get the native one, got: ${engine}\n${out}`);
if (/^\s+at .*\(.*:\d+:\d+\)$/m.test(out)) fail(`the install printed a stack trace:\n${out}`);
console.log(`check-install-no-rust: ${skipped}\ncheck-install-no-rust: ${engine}`);
if (existsSync(join(copy, 'native')) && readdirSync(join(copy, 'native')).some((f) => f.endsWith('.node'))) fail('a native addon appeared without Rust');

// 4. pnpm start: trains (no network here: the synthetic set) and serves; one recommendation.
const port = 20000 + Math.floor(Math.random() * 20000);
const start = spawn('pnpm', ['start'], { cwd: copy, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
let log = '';
start.stdout.on('data', (d) => (log += d));
start.stderr.on('data', (d) => (log += d));
const t0 = Date.now();
const deadline = t0 + 15 * 60_000;
while (!/serving model \S+ on (\S+)\./.test(log)) {
  if (start.exitCode !== null || Date.now() > deadline) {
    try {
      process.kill(-start.pid, 'SIGKILL');
    } catch {}
    fail(`pnpm start did not serve (exit ${start.exitCode}):\n${log}`);
  }
  await new Promise((r) => setTimeout(r, 500));
}
const url = log.match(/serving model \S+ on (\S+)\./)[1];
const user = log.match(/\/v1\/users\/([^/]+)\/recommendations/)?.[1] ?? '1';
let body;
try {
  const res = await fetch(`${url}/v1/users/${user}/recommendations?k=5`);
  body = await res.json();
  if (res.status !== 200 || !Array.isArray(body.items) || body.items.length !== 5) throw new Error(`${res.status} ${JSON.stringify(body)}`);
} catch (e) {
  process.kill(-start.pid, 'SIGKILL');
  fail(`no recommendation from ${url}: ${e.message}\n${log}`);
}
if (!/als engine: WASM/.test(log)) fail(`pnpm start did not say it runs the WASM engine:\n${log}`);
process.kill(-start.pid, 'SIGTERM');
await new Promise((r) => start.on('exit', r));
console.log(
  `check-install-no-rust: pnpm start trained and served in ${((Date.now() - t0) / 1000).toFixed(0)} s on the WASM engine; user ${user} got ${body.items.map((i) => i.itemId ?? i.id ?? i).join(', ')}`,
);
if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
console.log('check-install-no-rust: ok');
