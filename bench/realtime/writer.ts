// Owns the event writer of the real-time benchmark: POST /v1/events at an offered rate (open loop:
// every 10 ms the events due are sent, whatever the answers), in batches of 1–100 events drawn at
// random, each event for a distinct brand-new user. Counts acknowledged events (202) and other
// answers; the requests in flight are capped so a server that stops answering is not buried.

import { Rng } from '../../ts/data/random.js';

export interface WriterResult {
  offered: number;
  acked: number;
  refused: number;
  failed: number;
  seconds: number;
  /** Slowest POST round trip, ms. */
  slowestAck: number;
}

export async function writeEvents(o: { url: string; rate: number; seconds: number; itemIds: readonly string[]; tag: string; apiKey?: string | null; maxInFlight?: number }): Promise<WriterResult> {
  const rng = new Rng(o.rate);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(o.apiKey && { 'x-api-key': o.apiKey }) };
  const r: WriterResult = { offered: 0, acked: 0, refused: 0, failed: 0, seconds: 0, slowestAck: 0 };
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  let due = 0;
  let n = 0;
  while (performance.now() - start < o.seconds * 1000) {
    due += (o.rate * 10) / 1000;
    while (due >= 1) {
      const size = Math.min(Math.floor(due), 1 + rng.nextInt(100));
      due -= size;
      r.offered += size;
      if (inFlight.size >= (o.maxInFlight ?? 64)) {
        r.failed += size; // not sent: the server is not keeping up
        continue;
      }
      const events = Array.from({ length: size }, () => {
        const i = n++;
        return { eventId: `${o.tag}-${i}`, userId: `${o.tag}-u${i}`, itemId: o.itemIds[rng.nextInt(Math.min(o.itemIds.length, 1000))], type: 'like' };
      });
      const t = performance.now();
      const p = fetch(`${o.url}/v1/events`, { method: 'POST', headers, body: JSON.stringify(events) })
        .then(async (res) => {
          await res.arrayBuffer();
          r.slowestAck = Math.max(r.slowestAck, performance.now() - t);
          if (res.status === 202) r.acked += size;
          else r.refused += size;
        })
        .catch(() => void (r.failed += size))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    const next = start + Math.ceil((performance.now() - start + 0.001) / 10) * 10;
    await new Promise((res) => setTimeout(res, Math.max(0, next - performance.now())));
  }
  await Promise.all(inFlight);
  r.seconds = (performance.now() - start) / 1000;
  return r;
}
