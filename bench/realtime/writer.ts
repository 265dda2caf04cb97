// Owns the event writer of the real-time benchmark: POST /v1/events at an offered rate (open loop:
// every 10 ms the events due are sent, whatever the answers), in batches of 1–100 events drawn at
// random, each event for a distinct brand-new user. Counts acknowledged events (202) and other
// answers; the requests in flight are capped so a server that stops answering is not buried. The
// client is lean so it takes as little as it can of the cores it shares with the server: the load
// generator's pool of raw kept-alive connections (../load/client.ts: node:http cost this writer
// 21–32 µs of CPU per event, the pool 10–16), as many as requests may be in flight, each request
// built as one buffer.

import { Rng } from '../../ts/data/random.js';
import { Pool } from '../load/client.js';

/** A POST unanswered this long counts as failed (only a stalled server gets near it). */
const POST_TIMEOUT_MS = 600_000;

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
  const url = new URL('/v1/events', o.url);
  const head = `POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\n${o.apiKey ? `x-api-key: ${o.apiKey}\r\n` : ''}`;
  /** Per request in flight (its slot): its events and when it left. */
  const sent = new Map<number, { size: number; t: number }>();
  let nextSlot = 0;
  const r: WriterResult = { offered: 0, acked: 0, refused: 0, failed: 0, seconds: 0, slowestAck: 0 };
  const catalog = Math.min(o.itemIds.length, 1000);
  const quoted = o.itemIds.slice(0, catalog).map((id) => JSON.stringify(id));
  const idle: (() => void)[] = [];
  const pool = new Pool({
    url,
    maxConnections: maxInFlight,
    timeoutMs: POST_TIMEOUT_MS,
    insecure: false,
    onOutcome: (slot, status, at) => {
      const { size, t } = sent.get(slot)!;
      sent.delete(slot);
      r.slowestAck = Math.max(r.slowestAck, at - t);
      if (status === 202) r.acked += size;
      else if (status <= 0)
        r.failed += size; // no answer, or none in time
      else r.refused += size;
      if (sent.size === 0) for (const f of idle.splice(0)) f();
    },
  });
  const start = performance.now();
  let n = 0;
  for (let now = performance.now(); now - start < o.seconds * 1000; now = performance.now()) {
    // what is due by now (a timer may wake early or late: the rate follows the clock, not the ticks)
    let due = Math.floor((o.rate * (now - start)) / 1000) - r.offered;
    while (due >= 1) {
      const size = Math.min(Math.floor(due), 1 + rng.nextInt(100));
      due -= size;
      r.offered += size;
      if (sent.size >= maxInFlight) {
        r.failed += size; // not sent: the server is not keeping up
        continue;
      }
      const parts: string[] = [];
      for (let k = 0; k < size; k++, n++) parts.push(`{"eventId":"${o.tag}-${n}","userId":"${o.tag}-u${n}","itemId":${quoted[rng.nextInt(catalog)]},"type":"like"}`);
      const body = `[${parts.join(',')}]`;
      const t = performance.now();
      const slot = nextSlot++;
      sent.set(slot, { size, t });
      pool.request(slot, Buffer.from(`${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`), t);
    }
    await new Promise((res) => setTimeout(res, 10));
  }
  if (sent.size > 0) await new Promise<void>((res) => idle.push(res));
  r.seconds = (performance.now() - start) / 1000;
  pool.close();
  return r;
}
