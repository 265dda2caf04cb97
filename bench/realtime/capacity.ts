// Owns the real-time benchmark's fold-in capacity figure: fold-ins completed per second while the
// queue stayed backlogged (users waiting at both ends of a 100 ms sample, so the worker never ran
// dry), from /metrics, during a burst of events offered faster than fold-in takes them, without
// readers, then until the queue drains. The offered rates of the reader phases are too low to
// show what fold-in can do; this is the figure set beside the engine alone.

import { scrape, value } from './scrape.js';
import { writeEvents } from './writer.js';

export interface Capacity {
  /** Fold-ins/s while backlogged (NaN: the queue never built up: ingestion is the bound). */
  perSecond: number;
  backloggedSeconds: number;
  acked: number;
  /** Fold-ins/s from the burst's start until the queue drained. */
  overall: number;
}

export async function foldInCapacity(o: { url: string; rate: number; seconds: number; itemIds: readonly string[]; tag: string }): Promise<Capacity> {
  const samples: { t: number; done: number; queued: number }[] = [];
  let writing = true;
  const sampler = (async () => {
    for (;;) {
      const s = await scrape(o.url).catch(() => null);
      if (s) {
        const queued = value(s, 'recs_foldin_queue_depth');
        samples.push({ t: performance.now(), done: value(s, 'recs_foldins_total'), queued });
        if (!writing && queued === 0 && value(s, 'recs_foldin_in_flight') === 0) return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const w = await writeEvents({ url: o.url, rate: o.rate, seconds: o.seconds, itemIds: o.itemIds, tag: o.tag });
  writing = false;
  await sampler;
  let folds = 0;
  let ms = 0;
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1]!, samples[i]!];
    if (a.queued > 0 && b.queued > 0) {
      folds += b.done - a.done;
      ms += b.t - a.t;
    }
  }
  const [first, last] = [samples[0]!, samples.at(-1)!];
  return { perSecond: ms >= 500 ? folds / (ms / 1000) : NaN, backloggedSeconds: ms / 1000, acked: w.acked, overall: (last.done - first.done) / ((last.t - first.t) / 1000) };
}
