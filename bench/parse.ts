// Benchmark of the rating-file parser (ts/data/delimited.ts) against a naive readline + split
// baseline, on a generated ML-25M-shaped ratings.csv (userId,movieId,rating,timestamp; 25M rows,
// ~680 MB; synthetic values, no MovieLens data). Each parser runs in its own child process so
// that peak RSS is its own.
//
//   node dist/bench/parse.js [--rows 25000000] [--file existing.csv] [--keep]

import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseRatingsFile } from '../ts/data/delimited.js';
import { Rng } from '../ts/data/random.js';

interface WorkerResult {
  rows: number;
  users: number;
  items: number;
  ratingSum: number;
  seconds: number;
  maxRssMB: number;
}

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

if (args[0] === '--worker') {
  const result = await (args[1] === 'fast' ? fast(args[2]!) : naive(args[2]!));
  process.stdout.write(JSON.stringify(result));
} else {
  await main();
}

async function main(): Promise<void> {
  const rows = Number(flag('--rows') ?? 25_000_000);
  let file = flag('--file');
  let dir: string | null = null;
  if (!file) {
    dir = mkdtempSync(join(tmpdir(), 'recs-parse-bench-'));
    file = join(dir, 'ratings.csv');
    const t = performance.now();
    generate(file, rows);
    console.log(`generated ${file}: ${rows.toLocaleString()} rows, ${(statSync(file).size / 1e6).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const size = statSync(file).size;
  try {
    const results: [string, WorkerResult][] = [];
    for (const mode of ['fast', 'naive']) {
      const child = spawnSync(process.execPath, ['--max-old-space-size=16384', fileURLToPath(import.meta.url), '--worker', mode, file], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      if (child.status !== 0) {
        console.log(`${mode}: failed (exit ${child.status ?? child.signal}): ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        continue;
      }
      results.push([mode, JSON.parse(child.stdout) as WorkerResult]);
    }
    console.log(`\n| parser | rows | seconds | rows/s | MB/s | peak RSS |`);
    console.log(`|---|---:|---:|---:|---:|---:|`);
    for (const [mode, r] of results) {
      const name = mode === 'fast' ? 'ts/data parseRatingsFile' : 'naive readline + split';
      console.log(
        `| ${name} | ${r.rows.toLocaleString()} | ${r.seconds.toFixed(2)} | ${(r.rows / r.seconds / 1e6).toFixed(2)} M | ${(size / 1e6 / r.seconds).toFixed(0)} | ${r.maxRssMB.toFixed(0)} MB |`,
      );
    }
    const [a, b] = results.map(([, r]) => r);
    if (a && b) {
      const same = a.rows === b.rows && a.users === b.users && a.items === b.items && Math.abs(a.ratingSum - b.ratingSum) < 1e-6 * a.ratingSum;
      console.log(`\nsame rows/users/items/rating sum: ${same} (${a.users} users, ${a.items} items); speed-up ${(b.seconds / a.seconds).toFixed(1)}x`);
    }
  } finally {
    if (dir && !args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}

/** ML-25M-like: rows sorted by user (162,541 users), 59,047 movies with skewed popularity, half stars. */
function generate(path: string, rows: number): void {
  const rng = new Rng(25);
  const users = 162_541;
  const items = 59_047;
  const fd = openSync(path, 'w');
  const buf = Buffer.allocUnsafe(1 << 22);
  let n = buf.write('userId,movieId,rating,timestamp\n', 0, 'latin1');
  const digits = (v: number): void => {
    const s = String(v);
    n += buf.write(s, n, 'latin1');
  };
  for (let k = 0; k < rows; k++) {
    if (n > buf.length - 64) {
      writeSync(fd, buf, 0, n);
      n = 0;
    }
    digits(1 + Math.floor((k * users) / rows));
    buf[n++] = 44;
    digits(1 + Math.floor(rng.nextFloat() ** 3 * items));
    buf[n++] = 44;
    const half = 1 + rng.nextInt(10);
    digits(half >> 1);
    buf[n++] = 46;
    buf[n++] = half & 1 ? 53 : 48;
    buf[n++] = 44;
    digits(789_652_009 + rng.nextInt(784_675_694));
    buf[n++] = 10;
  }
  writeSync(fd, buf, 0, n);
  closeSync(fd);
}

function finish(t0: number, rows: number, users: number, items: number, ratingSum: number): WorkerResult {
  return { rows, users, items, ratingSum, seconds: (performance.now() - t0) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

async function fast(path: string): Promise<WorkerResult> {
  const t0 = performance.now();
  const { dataset: d } = await parseRatingsFile(path);
  let sum = 0;
  for (let r = 0; r < d.length; r++) sum += d.ratings[r]!;
  return finish(t0, d.length, d.userIds.length, d.itemIds.length, sum);
}

/** What one would write first: readline, split(','), Number(), Map ids, plain arrays. */
async function naive(path: string): Promise<WorkerResult> {
  const t0 = performance.now();
  const userIdx = new Map<string, number>();
  const itemIdx = new Map<string, number>();
  const users: number[] = [];
  const items: number[] = [];
  const ratings: number[] = [];
  const timestamps: number[] = [];
  let header = true;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (header) {
      header = false;
      continue;
    }
    if (line === '') continue;
    const [u, i, r, t] = line.split(',');
    let ui = userIdx.get(u!);
    if (ui === undefined) userIdx.set(u!, (ui = userIdx.size));
    let ii = itemIdx.get(i!);
    if (ii === undefined) itemIdx.set(i!, (ii = itemIdx.size));
    users.push(ui);
    items.push(ii);
    ratings.push(Number(r));
    timestamps.push(Number(t));
  }
  let sum = 0;
  for (const r of ratings) sum += r;
  return finish(t0, users.length, userIdx.size, itemIdx.size, sum);
}
