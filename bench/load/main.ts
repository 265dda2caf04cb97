// Owns `pnpm bench --url …`: the load test of a running target (any `recs serve`, a staging
// deployment, the AKS Service from inside the cluster). Reads the options and the scenario, checks
// the target and discovers its ids (./target.ts) before any load, runs one open-loop or
// virtual-user step (or a knee search), compares with the target's own /metrics histogram, prints
// the table and writes JSON, Markdown and HTML reports. Every run is bounded in time (duration,
// request timeout, a watchdog) and in count (--max-requests).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeHardware, hardware } from '../hardware.js';
import { renderHtml } from './html.js';
import { findKnee, type KneeResult } from './knee.js';
import { jsonReport, markdownReport, textReport, type RunReport } from './report.js';
import { runStep, type StepOptions, type StepResult } from './run.js';
import { GeneratorThreads } from './threads.js';
import { loadScenario } from './scenario.js';
import { diffSnapshots, scrape, type MetricsSnapshot } from './server-metrics.js';
import { judgeStep, parseSlo, type Objective } from './slo.js';
import { discover } from './target.js';

export const TARGET_HELP = `pnpm bench --url URL [options]   (node dist/bench/serve.js --url …)

Load test of a running target: open loop (a constant arrival rate, latency from each request's
intended send time, so a slow answer cannot hide the requests queued behind it) or virtual users
with think times, a scenario's mix of reads and events, percentiles to p99.99, errors and timeouts
counted apart, the target's own /metrics histogram beside the bench's, and an HTML report.

Target
  --url URL           base URL of the API (http or https); repeat it or join with commas to spread
                      the load over several (one deployment: they must serve the same model)
  --api-key-file F    file holding the API key (first line; e.g. the mounted secret); or
                      $RECS_API_KEY; --api-key KEY works too but shows in the process list
  --insecure          accept a self-signed TLS certificate (or trust a CA with NODE_EXTRA_CA_CERTS)
  --ids FILE          known user ids, one a line or a JSON array (a model version's user-ids.json)
  --models-dir DIR    the registry the target serves: the ids of the version /readyz names
                      (default ./models when it exists); item ids otherwise come from the
                      target's /demo/model.bin

Traffic
  --scenario S        built-in (reference, read-heavy, realtime, spike, filtered) or a JSON file; see
                      bench/scenarios/ for the format (default read-heavy)
  --rate R            requests/s, open loop (default: the scenario's rate)
  --users N           virtual users (scenarios with arrival model "users", e.g. reference)
  --think-ms MS       mean think time of a virtual user (exponential)
  --duration S        measured seconds (default 30, at most 3600)
  --warmup S          seconds of the same load before measuring, not counted (default 2)
  --workers N         generator threads (default 1; each polls its core while sending, so give
                      each a core of its own; 0: this thread)
  --connections N     most connections open at once (default 1000); 50 ms worth of the rate plus 8
                      (or one per virtual user) are opened before the measured window
  --timeout-ms MS     a request with no answer after this is a timeout (default 10000)
  --max-requests N    hard cap on requests sent per step (default 1.2 × rate × duration + 1000)
  --seed N            traffic seed (default 1)

Knee
  --find-knee         ramp the rate in steps and report the highest rate meeting --slo
  --slo TEXT          objective, e.g. "p99<10ms" or "p50<2ms,p99.9<50ms" (default p99<10ms with
                      --find-knee); a step also fails on > 0.1 % errors/timeouts or < 95 % of the
                      rate answered. Without --find-knee: exit code 1 when the run misses it
  --knee-start R      first rate (default 500)     --knee-growth X  rate factor per step (default 1.5)
  --knee-max R        highest rate tried (default 200000)   --knee-refine N  bisection steps (default 3)
  --knee-steps N      most steps (default 16)      --knee-pause S   pause between steps (default 2)

Output
  --out DIR           load-<scenario>.json, .md and .html go here (default bench/results)`;

const num = (name: string, v: string | undefined, min: number, max: number, integer = false): number => {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
    throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got "${v}"`);
  return n;
};

export async function targetMain(argv: string[], root: string): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string', multiple: true },
      'api-key': { type: 'string' },
      'api-key-file': { type: 'string' },
      insecure: { type: 'boolean' },
      ids: { type: 'string' },
      'models-dir': { type: 'string' },
      scenario: { type: 'string', default: 'read-heavy' },
      rate: { type: 'string' },
      users: { type: 'string' },
      'think-ms': { type: 'string' },
      duration: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '2' },
      workers: { type: 'string', default: '1' },
      connections: { type: 'string', default: '1000' },
      'timeout-ms': { type: 'string', default: '10000' },
      'max-requests': { type: 'string' },
      seed: { type: 'string', default: '1' },
      'find-knee': { type: 'boolean' },
      slo: { type: 'string' },
      'knee-start': { type: 'string', default: '500' },
      'knee-growth': { type: 'string', default: '1.5' },
      'knee-max': { type: 'string', default: '200000' },
      'knee-refine': { type: 'string', default: '3' },
      'knee-steps': { type: 'string', default: '16' },
      'knee-pause': { type: 'string', default: '2' },
      out: { type: 'string', default: join(root, 'bench', 'results') },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(TARGET_HELP);
    return 0;
  }
  const urls = (values.url ?? [])
    .flatMap((u) => u.split(','))
    .map((u) => u.trim().replace(/\/+$/, ''))
    .filter((u) => u !== '');
  for (const u of urls) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new Error(`--url ${u}: not a URL (expected e.g. http://127.0.0.1:8080)`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`--url ${u}: only http and https are supported`);
  }
  if (urls.length === 0) throw new Error('--url: give the base URL of the API, e.g. --url http://127.0.0.1:8080');
  if (values.insecure) process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
  const apiKey = values['api-key'] ?? (values['api-key-file'] ? readKey(values['api-key-file']) : (process.env['RECS_API_KEY'] ?? null));
  const scenario = loadScenario(values.scenario);
  const open = scenario.arrival.model === 'open';
  if (!open && values.rate !== undefined) throw new Error(`--rate: scenario ${scenario.name} has virtual users with think times, not a rate; set --users N and --think-ms MS`);
  if (open && (values.users !== undefined || values['think-ms'] !== undefined)) throw new Error(`--users/--think-ms: scenario ${scenario.name} is open loop; set --rate R`);
  if (values['find-knee'] && !open) throw new Error(`--find-knee needs an open-loop scenario (read-heavy, realtime, spike or a file with arrival model "open"), not ${scenario.name}`);
  const duration = num('duration', values.duration, 1, 3600);
  const warmup = num('warmup', values.warmup, 0, 600);
  const rateRaw = values.rate ?? (open && scenario.arrival.model === 'open' && scenario.arrival.rate !== undefined ? String(scenario.arrival.rate) : undefined);
  if (open && rateRaw === undefined && !values['find-knee']) throw new Error(`--rate: scenario ${scenario.name} sets no rate; give --rate R`);
  const rate = open && rateRaw !== undefined ? num('rate', rateRaw, 0.1, 1_000_000) : NaN;
  const users = !open ? num('users', values.users ?? String(scenario.arrival.model === 'users' ? scenario.arrival.users : 0), 1, 100_000, true) : 0;
  const thinkMs = !open ? num('think-ms', values['think-ms'] ?? String(scenario.arrival.model === 'users' ? scenario.arrival.thinkMs : 0), 0, 3_600_000) : 0;
  const objectives: Objective[] = values.slo ? parseSlo(values.slo) : values['find-knee'] ? parseSlo('p99<10ms') : [];
  const workers = num('workers', values.workers, 0, 64, true);
  const base: Omit<StepOptions, 'rate' | 'durationS' | 'maxRequests' | 'ids'> = {
    urls,
    apiKey,
    insecure: values.insecure ?? false,
    scenario,
    users,
    thinkMs,
    workers,
    maxConnections: num('connections', values.connections, 1, 100_000, true),
    timeoutMs: num('timeout-ms', values['timeout-ms'], 1, 600_000),
    seed: num('seed', values.seed, 0, 2 ** 31, true),
  };
  const capFor = (r: number, d: number) => (values['max-requests'] ? num('max-requests', values['max-requests'], 1, 1e9, true) : Math.ceil(1.2 * (open ? r : users * 10) * d) + 1000);
  const knee = values['find-knee']
    ? {
        startRate: num('knee-start', values['knee-start'], 1, 1_000_000),
        growth: num('knee-growth', values['knee-growth'], 1.05, 10),
        maxRate: num('knee-max', values['knee-max'], 1, 10_000_000),
        refine: num('knee-refine', values['knee-refine'], 0, 10, true),
        maxSteps: num('knee-steps', values['knee-steps'], 1, 64, true),
        pauseMs: 1000 * num('knee-pause', values['knee-pause'], 0, 60),
      }
    : null;

  const target = await discover({
    urls,
    apiKey,
    ...(values.ids && { idsFile: values.ids }),
    modelsDir: values['models-dir'] ?? './models',
    needUsers: scenario.users.unknownShare < 1 && scenario.mix.some((m) => m.request !== 'similar'),
  });
  const ids = { users: target.users, items: target.items };
  const hw = describeHardware(hardware());
  const arrival = open
    ? `open loop, ${scenario.phases.length > 0 ? 'base ' : ''}${Number.isFinite(rate) ? `${rate.toLocaleString('en-US')} req/s` : 'rate per knee step'}${scenario.phases.length > 0 ? ` × phases ${scenario.phases.map((p) => `${p.rateFactor} for ${Math.round(p.share * 100)} %`).join(', ')}` : ''}`
    : `${users} virtual users, think time ${thinkMs} ms (exponential)`;
  console.log(`bench: ${hw}`);
  console.log(
    `bench: ${urls.join(', ')} serves model ${target.modelVersion}; ${target.users.length.toLocaleString('en-US')} known users, ${target.items.length.toLocaleString('en-US')} items (${target.idsFrom})`,
  );
  console.log(`bench: scenario ${scenario.name}: ${arrival}; ${scenario.mix.map((m) => `${m.name} ${Math.round(m.weight * 1000) / 10} %`).join(', ')}; ${workers} generator thread(s)`);
  if (scenario.mix.some((m) => m.request === 'events')) console.log(`bench: this scenario writes events (user ids "new-…" and known users) to the target's event store`);

  // one set of generator threads for every step: the warm-up warms their compiled code too
  const threads = workers > 0 ? new GeneratorThreads(workers) : undefined;
  const step = async (r: number, d: number): Promise<{ step: StepResult; server: MetricsSnapshot | null }> => {
    if (warmup > 0) {
      await runStep({ ...base, ids, rate: r, durationS: warmup, maxRequests: capFor(r, warmup) }, threads);
      await new Promise((res) => setTimeout(res, 500)); // let the target finish the warm-up's requests
    }
    const before = await scrape(urls, apiKey);
    const result = await runStep({ ...base, ids, rate: r, durationS: d, maxRequests: capFor(r, d) }, threads);
    const after = await scrape(urls, apiKey);
    return { step: result, server: before && after ? diffSnapshots(before, after) : null };
  };

  let main: { step: StepResult; server: MetricsSnapshot | null };
  let kneeResult: KneeResult | null = null;
  try {
    if (knee) {
      const servers = new Map<StepResult, MetricsSnapshot | null>();
      kneeResult = await findKnee({
        ...knee,
        objectives,
        log: (l) => console.log(l),
        step: async (r) => {
          const s = await step(r, duration);
          servers.set(s.step, s.server);
          return s.step;
        },
      });
      const best = kneeResult.points.filter((p) => p.rate === kneeResult!.knee).at(-1) ?? kneeResult.points[0]!;
      main = { step: best.step, server: servers.get(best.step) ?? null };
    } else {
      console.log(`bench: ${warmup > 0 ? `${warmup} s warm-up, then ` : ''}${duration} s of load…`);
      main = await step(rate, duration);
    }
  } finally {
    await threads?.close();
  }

  const report: RunReport = {
    date: new Date().toISOString(),
    command: `pnpm bench ${argv
      .map((a) => (/\s/.test(a) ? JSON.stringify(a) : a))
      .join(' ')
      .replace(/(--api-key[= ])\S+/, '$1***')}`,
    hardware: hw,
    urls,
    modelVersion: target.modelVersion,
    idsFrom: target.idsFrom,
    scenario,
    arrival: knee
      ? `open loop; shown: ${kneeResult?.knee === null ? 'the first step (no rate met the objective)' : 'the knee step'}, ${Math.round(main.step.rate).toLocaleString('en-US')} req/s`
      : arrival,
    step: main.step,
    server: main.server,
    knee: kneeResult,
    objectives,
  };
  console.log('\n' + textReport(report) + '\n');
  mkdirSync(values.out, { recursive: true });
  const stem = join(values.out, `load-${scenario.name}`);
  writeFileSync(`${stem}.json`, JSON.stringify(jsonReport(report), null, 2));
  writeFileSync(`${stem}.md`, markdownReport(report));
  writeFileSync(`${stem}.html`, renderHtml(report));
  console.log(`wrote ${stem}.json, .md and .html`);
  if (!knee && objectives.length > 0) {
    const j = judgeStep(main.step, objectives);
    console.log(j.pass ? `objective met` : `objective missed: ${j.reasons.join('; ')}`);
    return j.pass ? 0 : 1;
  }
  return 0;
}

function readKey(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`--api-key-file ${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const key = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (!key) throw new Error(`--api-key-file ${file}: no key in the file`);
  return key;
}
