// Owns the real-time benchmark's fold-in capacity figure: a burst of events offered faster than
// fold-in takes them, without readers, then fold-ins completed per second while the backlog drains
// (from /metrics every 100 ms: the intervals after the writer stopped with users waiting at both
// ends, so the worker never ran dry and the request thread, idle by then, takes no CPU from it). The offered rates of the reader phases are too low to
// show what fold-in can do; this is the figure set beside the engine alone. Where fold-in keeps
// up with the fastest ingestion this machine manages (no backlog forms), the figure is fold-ins
// per second of the fold-in thread's own CPU over the burst (../thread-cpu.ts): what fold-in does
// on one core, the same unit as the engine alone.

import { scrape, value } from './scrape.js';
import { writeEvents } from './writer.js';
import { threadCpu } from '../thread-cpu.js';

/** The fold-in worker thread's name (../../ts/serve/foldin-worker.ts). */
const FOLDIN_THREAD = 'recs-foldin';

export interface Capacity {
  /** Fold-ins/s while the backlog drained (NaN: no backlog was left when the writer stopped: ingestion is the bound). */
  perSecond: number;
  backloggedSeconds: number;
  acked: number;
  /** Fold-ins/s from the burst's start until the queue drained. */
  overall: number;
  /** Fold-ins per second of the fold-in thread's CPU, from the burst's start until the queue drained. */
  perCpuSecond: number;
  /** Users per hand-off to the fold-in worker, on average over the burst. */
  batchUsers: number;
}

export async function foldInCapacity(o: { url: string; pid: number; rate: number; seconds: number; itemIds: readonly string[]; tag: string }): Promise<Capacity> {
  const samples: { t: number; done: number; batches: number; queued: number; writing: boolean }[] = [];
  const cpu0 = threadCpu(o.pid).get(FOLDIN_THREAD) ?? 0;
  let writing = true;
  const sampler = (async () => {
    for (;;) {
      const s = await scrape(o.url).catch(() => null);
      if (s) {
        const queued = value(s, 'recs_foldin_queue_depth');
        samples.push({ t: performance.now(), done: value(s, 'recs_foldins_total'), batches: value(s, 'recs_foldin_batches_total'), queued, writing });
        if (!writing && queued === 0 && value(s, 'recs_foldin_in_flight') === 0) return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const w = await writeEvents({ url: o.url, rate: o.rate, seconds: o.seconds, itemIds: o.itemIds, tag: o.tag });
  writing = false;
  await sampler;
  const cpuSeconds = ((threadCpu(o.pid).get(FOLDIN_THREAD) ?? 0) - cpu0) / 1e9;
  let folds = 0;
  let ms = 0;
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1]!, samples[i]!];
    if (!a.writing && a.queued > 0 && b.queued > 0) {
      folds += b.done - a.done;
      ms += b.t - a.t;
    }
  }
  const [first, last] = [samples[0]!, samples.at(-1)!];
  const done = last.done - first.done;
  return {
    perSecond: ms >= 500 ? folds / (ms / 1000) : NaN,
    backloggedSeconds: ms / 1000,
    acked: w.acked,
    overall: done / ((last.t - first.t) / 1000),
    perCpuSecond: done / cpuSeconds,
    batchUsers: done / Math.max(1, last.batches - first.batches),
  };
}
