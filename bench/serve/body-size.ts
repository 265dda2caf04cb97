// Owns measuring the API's mean response body, so a bare endpoint can answer bodies of the same
// size: the benchmarks compare the API with an endpoint that sends as many bytes and does nothing.

/** Mean body bytes of GET `url + path` over `paths`; throws on a non-200 answer. */
export async function sampleBodySize(url: string, paths: string[], headers?: Record<string, string>): Promise<number> {
  let total = 0;
  for (const p of paths) {
    const r = await fetch(url + p, headers ? { headers } : {});
    const body = await r.text();
    if (r.status !== 200) throw new Error(`GET ${p} → ${r.status}: ${body}`);
    total += Buffer.byteLength(body);
  }
  return Math.round(total / paths.length);
}
