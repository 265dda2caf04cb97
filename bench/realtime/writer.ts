// Owns the event writer of the real-time benchmark: POST /v1/events at an offered rate (open loop:
// every 10 ms the events due are sent, whatever the answers), in batches of 1–100 events drawn at
// random, each event for a distinct brand-new user. Counts acknowledged events (202) and other
// answers; the requests in flight are capped so a server that stops answering is not buried. The
// client is lean so it takes as little as it can of the cores it shares with the server: raw
// kept-alive connections (./raw-post.ts), as many as requests may be in flight, each body built
// as one string.

import { Rng } from '../../ts/data/random.js';
import { RawPoster } from './raw-post.js';

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
  const maxInFlight = o.maxInFlight ?? 64;
  const poster = new RawPoster(new URL('/v1/events', o.url), { 'content-type': 'application/json', ...(o.apiKey && { 'x-api-key': o.apiKey }) });
  const r: WriterResult = { offered: 0, acked: 0, refused: 0, failed: 0, seconds: 0, slowestAck: 0 };
  const catalog = Math.min(o.itemIds.length, 1000);
  const quoted = o.itemIds.slice(0, catalog).map((id) => JSON.stringify(id));
  let inFlight = 0;
  const idle: (() => void)[] = [];
  const start = performance.now();
  let n = 0;
  for (let now = performance.now(); now - start < o.seconds * 1000; now = performance.now()) {
    // what is due by now (a timer may wake early or late: the rate follows the clock, not the ticks)
    let due = Math.floor((o.rate * (now - start)) / 1000) - r.offered;
    while (due >= 1) {
      const size = Math.min(Math.floor(due), 1 + rng.nextInt(100));
      due -= size;
      r.offered += size;
      if (inFlight >= maxInFlight) {
        r.failed += size; // not sent: the server is not keeping up
        continue;
      }
      const parts: string[] = [];
      for (let k = 0; k < size; k++, n++) parts.push(`{"eventId":"${o.tag}-${n}","userId":"${o.tag}-u${n}","itemId":${quoted[rng.nextInt(catalog)]},"type":"like"}`);
      const t = performance.now();
      inFlight++;
      void poster.post(`[${parts.join(',')}]`).then((status) => {
        r.slowestAck = Math.max(r.slowestAck, performance.now() - t);
        if (status === 202) r.acked += size;
        else if (status === 0) r.failed += size;
        else r.refused += size;
        if (--inFlight === 0) for (const f of idle.splice(0)) f();
      });
    }
    await new Promise((res) => setTimeout(res, 10));
  }
  if (inFlight > 0) await new Promise<void>((res) => idle.push(res));
  r.seconds = (performance.now() - start) / 1000;
  poster.close();
  return r;
}
