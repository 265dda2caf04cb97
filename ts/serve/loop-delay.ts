// Owns the request thread's event-loop delay for /metrics: how late a 10 ms timer fires, which is
// how long anything that runs on the request thread (a parse, a table read, a synchronous system
// call) kept every request waiting. Percentiles and the maximum are those of the last complete
// window (10 s by default), so a stall shows within one window and then ages out.

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopDelayWindow {
  /** Seconds; the quantiles and maximum of the window's samples. */
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** Samples in the window. */
  count: number;
  /** Length of the window, seconds. */
  windowSeconds: number;
}

export class LoopDelay {
  private readonly h: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;
  private last: LoopDelayWindow | null = null;

  constructor(
    readonly windowMs = 10_000,
    resolutionMs = 10,
  ) {
    this.h = monitorEventLoopDelay({ resolution: resolutionMs });
    this.h.enable();
    this.timer = setInterval(() => this.roll(), windowMs);
    this.timer.unref();
  }

  /** The last complete window (null until one has passed). */
  window(): LoopDelayWindow | null {
    return this.last;
  }

  /** Closes the current window now (the interval does this every `windowMs`). */
  roll(): void {
    const h = this.h;
    // the histogram records nanoseconds; with no sample yet its percentiles are 0 and min is huge
    this.last =
      h.count === 0 ? null : { p50: h.percentile(50) / 1e9, p99: h.percentile(99) / 1e9, p999: h.percentile(99.9) / 1e9, max: h.max / 1e9, count: h.count, windowSeconds: this.windowMs / 1000 };
    h.reset();
  }

  stop(): void {
    clearInterval(this.timer);
    this.h.disable();
  }
}
