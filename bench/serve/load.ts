// Owns what a load run measured, whichever tool drove it: one run's counts plus its latency
// distribution as weighted points (autocannon: every response, weight 1; wrk: 1,000 quantiles,
// each weighing a thousandth of its requests), so runs split into rounds merge into one result.

export interface LoadResult {
  tool: 'autocannon' | 'wrk';
  /** Which endpoint: 'api' (embedded store), 'bare', or a store configuration (see ./targets.ts). */
  target: string;
  seconds: number;
  connections: number;
  requests: number;
  /** Completed requests per second over the measured time. */
  rps: number;
  /** Latency percentiles, ms. */
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  max: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  /** Mean response bytes (with headers). */
  bytesPerResponse: number;
  /** Measured runs merged into this result (rounds alternate between the endpoints). */
  rounds: number;
  /** CPU time (user + system) of the processes under test per request, µs (NaN when unmeasured). */
  cpuUsPerRequest: number;
}

export interface LoadRun {
  tool: LoadResult['tool'];
  target: LoadResult['target'];
  seconds: number;
  connections: number;
  requests: number;
  errors: number;
  non2xx: number;
  bytes: number;
  /** Latency points, ms, each standing for `weight` requests. */
  points: Float32Array;
  weight: number;
  max: number;
  /** CPU seconds the processes under test spent during the run (NaN when unmeasured). */
  cpuSeconds: number;
}

/** One result from runs of the same tool and target. */
export function merge(runs: LoadRun[]): LoadResult {
  const first = runs[0]!;
  const n = runs.reduce((s, r) => s + r.points.length, 0);
  const values = new Float64Array(n);
  const weights = new Float64Array(n);
  let o = 0;
  for (const r of runs) {
    values.set(r.points, o);
    weights.fill(r.weight, o, o + r.points.length);
    o += r.points.length;
  }
  const order = Uint32Array.from(values.keys()).sort((a, b) => values[a]! - values[b]!);
  const total = weights.reduce((s, w) => s + w, 0);
  const quantile = (q: number): number => {
    let acc = 0;
    for (const i of order) {
      acc += weights[i]!;
      if (acc >= q * total) return values[i]!;
    }
    return NaN;
  };
  const requests = runs.reduce((s, r) => s + r.requests, 0);
  const seconds = runs.reduce((s, r) => s + r.seconds, 0);
  return {
    tool: first.tool,
    target: first.target,
    seconds,
    connections: first.connections,
    requests,
    rps: requests / seconds,
    p50: quantile(0.5),
    p90: quantile(0.9),
    p97_5: quantile(0.975),
    p99: quantile(0.99),
    max: Math.max(...runs.map((r) => r.max)),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
    bytesPerResponse: runs.reduce((s, r) => s + r.bytes, 0) / Math.max(1, requests),
    rounds: runs.length,
    cpuUsPerRequest: (runs.reduce((s, r) => s + r.cpuSeconds, 0) * 1e6) / Math.max(1, requests),
  };
}
