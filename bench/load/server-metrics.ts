// Owns the target's own view of a load step: its Prometheus request-duration histograms
// (recs_http_request_duration_seconds, per route, all statuses summed) read before and after the
// step, subtracted, and turned into percentiles the way Prometheus's histogram_quantile does
// (linear interpolation inside a bucket). The server times a request from its arrival to its
// answer, so this is the latency without the network and the generator; its buckets (…, 1, 2.5,
// 5, 10 ms, …) bound how precisely it can agree with the bench's own figures.

export interface RouteHistogram {
  /** Upper bounds, seconds (+Inf last). */
  bounds: number[];
  /** Cumulative counts per bound. */
  cumulative: number[];
}

export type MetricsSnapshot = Map<string, RouteHistogram>;

/** Parses the duration histograms of a /metrics text, summed over statuses, by route. */
export function parseDurations(text: string): MetricsSnapshot {
  const out: MetricsSnapshot = new Map();
  const re = /^recs_http_request_duration_seconds_bucket\{route="([^"]*)",status="\d+",le="([^"]+)"\} ([0-9.e+-]+)$/gm;
  for (const m of text.matchAll(re)) {
    const route = m[1]!;
    const le = m[2] === '+Inf' ? Infinity : Number(m[2]);
    let h = out.get(route);
    if (!h) out.set(route, (h = { bounds: [], cumulative: [] }));
    const i = h.bounds.indexOf(le);
    if (i >= 0) h.cumulative[i]! += Number(m[3]);
    else {
      h.bounds.push(le);
      h.cumulative.push(Number(m[3]));
    }
  }
  for (const h of out.values()) {
    const order = h.bounds.map((_, i) => i).sort((a, b) => h.bounds[a]! - h.bounds[b]!);
    h.bounds = order.map((i) => h.bounds[i]!);
    h.cumulative = order.map((i) => h.cumulative[i]!);
  }
  return out;
}

/** after − before, per route (routes with no requests in between are left out). */
export function diffSnapshots(before: MetricsSnapshot, after: MetricsSnapshot): MetricsSnapshot {
  const out: MetricsSnapshot = new Map();
  for (const [route, h] of after) {
    const b = before.get(route);
    const cumulative = h.cumulative.map((c, i) => c - (b && b.bounds[i] === h.bounds[i] ? b.cumulative[i]! : 0));
    if (cumulative.at(-1)! > 0) out.set(route, { bounds: h.bounds, cumulative });
  }
  return out;
}

/** Prometheus histogram_quantile: seconds, linear inside the bucket holding rank q·count. */
export function histogramQuantile(q: number, h: RouteHistogram): number {
  const total = h.cumulative.at(-1)!;
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let i = h.cumulative.findIndex((c) => c >= rank);
  if (i < 0) i = h.cumulative.length - 1;
  const upper = h.bounds[i]!;
  if (upper === Infinity) return h.bounds[i - 1] ?? NaN; // as Prometheus: the highest finite bound
  const lower = i === 0 ? 0 : h.bounds[i - 1]!;
  const below = i === 0 ? 0 : h.cumulative[i - 1]!;
  const inBucket = h.cumulative[i]! - below;
  return inBucket > 0 ? lower + (upper - lower) * ((rank - below) / inBucket) : upper;
}

/** The durations summed over the targets' /metrics; null when a target does not expose them (e.g. --protect-metrics without a key). */
export async function scrape(urls: string[], apiKey: string | null): Promise<MetricsSnapshot | null> {
  const total: MetricsSnapshot = new Map();
  for (const url of urls) {
    try {
      const r = await fetch(`${url.replace(/\/$/, '')}/metrics`, { headers: apiKey ? { 'x-api-key': apiKey } : {}, signal: AbortSignal.timeout(5000) });
      if (r.status !== 200) return null;
      for (const [route, h] of parseDurations(await r.text())) {
        const t = total.get(route);
        if (!t) total.set(route, { bounds: [...h.bounds], cumulative: [...h.cumulative] });
        else h.cumulative.forEach((c, i) => (t.cumulative[i]! += c));
      }
    } catch {
      return null;
    }
  }
  return total;
}
