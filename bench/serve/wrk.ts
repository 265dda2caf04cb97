// Owns driving a load with wrk (Debian package `wrk`), a C load generator that needs far less CPU
// than autocannon: one thread, `connections` connections, and the one Lua script of the benches,
// which cycles through pre-generated requests (GET paths or POST bodies; each thread from a random
// offset) and reports as JSON.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { current, onCores } from './cores.js';
import type { LoadResult, LoadRun } from './load.js';

/** What each request is: a GET of the line (a path), or a POST of the line (a JSON body) to `path`. */
export type WrkRequest = { method: 'GET' } | { method: 'POST'; path: string };

/**
 * The Lua script: cycles through the lines of args[1] from a random offset, sends args[2] as the API
 * key when given, makes each line a request of the given kind, and prints the result as one JSON line
 * (the counts and the latency's 1000 quantiles, µs).
 */
export function wrkScript(request: WrkRequest): string {
  const make = request.method === 'GET' ? 'wrk.format("GET", lines[i])' : `wrk.format("POST", ${JSON.stringify(request.path)}, nil, lines[i])`;
  const contentType = request.method === 'POST' ? '\n  wrk.headers["content-type"] = "application/json"' : '';
  return `
local lines = {}
local i = 0
function init(args)
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  i = math.random(#lines)
  if args[2] ~= nil and args[2] ~= "" then wrk.headers["x-api-key"] = args[2] end${contentType}
end
function request()
  i = i + 1
  if i > #lines then i = 1 end
  return ${make}
end
function done(s, latency, requests)
  local q = {}
  for i = 1, 1000 do q[i] = latency:percentile(i / 10 - 0.05) end
  io.write(string.format('WRKJSON {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"bytes":%d,"max":%d,"quantilesUs":[%s]}\\n',
    s.requests, s.duration, s.errors.connect, s.errors.read, s.errors.write, s.errors.status, s.errors.timeout, s.bytes,
    latency.max, table.concat(q, ",")))
end
`;
}

export function wrkVersion(): string | null {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (r.error) return null;
  return (r.stdout + r.stderr).split('\n')[0]?.trim() ?? 'wrk';
}

export interface WrkOptions {
  url: string;
  target: LoadResult['target'];
  /** One line a request: the paths of GETs, or the JSON bodies of POSTs (`request`). */
  paths: readonly string[];
  /** GET by default. */
  request?: WrkRequest;
  connections: number;
  seconds: number;
  apiKey?: string | null;
  threads?: number;
}

export async function runWrk(o: WrkOptions): Promise<LoadRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  writeFileSync(join(dir, 'paths.txt'), o.paths.join('\n') + '\n');
  writeFileSync(join(dir, 'paths.lua'), wrkScript(o.request ?? { method: 'GET' }));
  const args = [
    '-t',
    String(o.threads ?? 1),
    '-c',
    String(o.connections),
    '-d',
    `${o.seconds}s`,
    '--timeout',
    '10s',
    '-s',
    join(dir, 'paths.lua'),
    o.url,
    '--',
    join(dir, 'paths.txt'),
    o.apiKey ?? '',
  ];
  const out = await new Promise<string>((resolve, reject) => {
    const [cmd, argv] = onCores(current.plan.load, 'wrk', args);
    const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    p.stdout.on('data', (d) => (text += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with code ${code}:\n${text}`))));
  });
  const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) throw new Error(`wrk printed no result:\n${out}`);
  const j = JSON.parse(line.slice(8)) as Record<string, number> & { quantilesUs: number[] };
  const requests = j['requests']!;
  return {
    tool: 'wrk',
    target: o.target,
    seconds: j['durationUs']! / 1e6,
    connections: o.connections,
    requests,
    errors: j['connect']! + j['read']! + j['write']! + j['timeout']!,
    non2xx: j['status']!,
    bytes: j['bytes']!,
    points: Float32Array.from(j.quantilesUs, (us) => us / 1000),
    weight: requests / j.quantilesUs.length,
    max: j['max']! / 1000,
    cpuSeconds: NaN,
  };
}
