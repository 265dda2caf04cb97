// The project's test command (`pnpm test`): the static gates (typecheck, lint, formatting,
// clippy), the Rust tests, then the TypeScript tests, then one closing line that counts them all:
// "tests: N passed, N failed, N skipped".
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const extra = process.argv.slice(2);

/** Runs a command, streaming its output, and returns [exit code, captured stdout]. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.on('error', (e) => {
      console.error(`test: could not run ${cmd}: ${e.message}`);
      resolve([127, out]);
    });
    child.on('close', (code) => resolve([code ?? 1, out]));
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;

// Static gates first, each counted as one test: types (tests included), lint, formatting, clippy.
const gates = [
  ['typecheck (tsc --noEmit over ts/, bench/ and the tests)', join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--noEmit']],
  ['biome lint', join(root, 'node_modules', '.bin', 'biome'), ['lint', '--error-on-warnings', '.']],
  ['cargo fmt --check', 'cargo', ['fmt', '--all', '--check']],
  ['cargo clippy -D warnings', 'cargo', ['clippy', '--workspace', '--all-targets', '--', '-D', 'warnings']],
  ['biome format --check', join(root, 'node_modules', '.bin', 'biome'), ['format', '.']],
];
for (const [name, cmd, args] of gates) {
  const [code] = await run(cmd, args);
  if (code === 0) passed += 1;
  else {
    failed += 1;
    console.error(`test: gate failed: ${name}`);
  }
}
const gatesFailed = failed;

const [cargoCode, cargoOut] = await run('cargo', ['test', '--release', '--workspace']);
for (const m of cargoOut.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/g)) {
  passed += Number(m[1]);
  failed += Number(m[2]);
  skipped += Number(m[3]);
}
if (cargoCode !== 0 && failed === 0) failed += 1;

mkdirSync(join(root, '.cache'), { recursive: true });
const report = join(root, '.cache', 'vitest-report.json');
const vitest = join(root, 'node_modules', '.bin', 'vitest');
const [vitestCode] = await run(vitest, ['run', '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...extra]);
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  if (vitestCode !== 0 && r.numFailedTests === 0) failed += Math.max(1, r.numFailedTestSuites);
} catch {
  if (vitestCode !== 0) failed += 1;
}

console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(gatesFailed > 0 || cargoCode !== 0 || vitestCode !== 0 ? 1 : 0);
