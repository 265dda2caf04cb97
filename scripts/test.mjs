// The project's test command (`pnpm test`): the Rust tests, then the TypeScript tests, then one
// closing line that counts both: "tests: N passed, N failed, N skipped".
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
process.exit(cargoCode !== 0 || vitestCode !== 0 ? 1 : 0);
