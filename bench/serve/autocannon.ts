// Owns driving a load with autocannon from this process: `connections` clients for `seconds`,
// each cycling through its own slice of the pre-generated request paths (so clients do not move
// in lockstep). Latencies are taken from autocannon's per-response events at full precision
// (its own histogram keeps whole milliseconds, too coarse for sub-millisecond answers).

import autocannon from 'autocannon';
import type { LoadResult, LoadRun } from './load.js';

export interface CannonOptions {
  url: string;
  target: LoadResult['target'];
  paths: readonly string[];
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
}

export async function runAutocannon(o: CannonOptions): Promise<LoadRun> {
  const per = Math.max(1, Math.floor(o.paths.length / o.connections));
  let next = 0;
  let latencies = new Float32Array(1 << 20);
  let n = 0;
  let done!: (r: autocannon.Result) => void;
  let fail!: (e: Error) => void;
  const finished = new Promise<autocannon.Result>((res, rej) => {
    done = res;
    fail = rej;
  });
  const instance = autocannon(
    {
      url: o.url,
      connections: o.connections,
      duration: o.seconds,
      pipelining: 1,
      timeout: 10,
      ...(o.headers && { headers: o.headers }),
      setupClient: (client) => {
        const start = (next++ * per) % o.paths.length;
        const slice = o.paths.slice(start, start + per);
        client.setRequests(slice.map((path) => ({ method: 'GET', path })));
      },
    },
    (err, result) => (err ? fail(err) : done(result)),
  );
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
    if (n === latencies.length) {
      const grown = new Float32Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[n++] = ms;
  });
  const r = await finished;
  const points = latencies.slice(0, n);
  return {
    tool: 'autocannon',
    target: o.target,
    seconds: o.seconds,
    connections: o.connections,
    requests: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    bytes: r.throughput.total,
    points,
    weight: 1,
    max: points.reduce((m, v) => Math.max(m, v), 0),
    cpuSeconds: NaN,
  };
}
