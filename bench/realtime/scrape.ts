// Owns reading the API's /metrics for the real-time benchmark: counters and gauges by name,
// histogram buckets, and percentiles of the difference of two histogram snapshots (linear within
// a bucket, as Prometheus's histogram_quantile does), and waiting until fold-in has drained.

export type Snapshot = Map<string, number>;

export async function scrape(url: string): Promise<Snapshot> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Snapshot = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

export const value = (s: Snapshot, name: string): number => s.get(name) ?? NaN;

/** The q-quantile (0–1) of what histogram `name` recorded between snapshots a and b, seconds (NaN: nothing recorded). */
export function quantileBetween(a: Snapshot, b: Snapshot, name: string, q: number): number {
  const buckets: [number, number][] = [];
  for (const [k, v] of b) {
    const m = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}$`).exec(k);
    if (m) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), v - (a.get(k) ?? 0)]);
  }
  buckets.sort((x, y) => x[0] - y[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1e-9, count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

/** Samples gauges every `ms` until stopped; keeps the largest value of each. */
export function sampleMax(url: string, names: readonly string[], ms = 250): { stop: () => Promise<Record<string, number>> } {
  const max: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  let running = true;
  const loop = (async () => {
    while (running) {
      const s = await scrape(url).catch(() => null);
      if (s) for (const n of names) max[n] = Math.max(max[n]!, value(s, n));
      await new Promise((r) => setTimeout(r, ms));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return max;
    },
  };
}

/** Resolves once the fold-in queue is empty with nothing in flight (polling every `pollMs`), or when `timeoutMs` has passed. */
export async function foldInDrained(url: string, o: { timeoutMs?: number; pollMs?: number } = {}): Promise<void> {
  const end = Date.now() + (o.timeoutMs ?? Number.POSITIVE_INFINITY);
  while (Date.now() < end) {
    const s = await scrape(url);
    if (value(s, 'recs_foldin_queue_depth') === 0 && value(s, 'recs_foldin_in_flight') === 0) return;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 100));
  }
}
