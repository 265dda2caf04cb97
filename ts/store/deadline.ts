// Owns the deadlines of remote store calls (Redis, Cosmos DB): a call not answered within its
// timeout is rejected with StoreError('timeout'). One timer per distinct timeout serves every call
// in flight, not one per call: calls with the same timeout end their waits in the order they began,
// so each timeout keeps a FIFO queue of deadlines and a timer armed for its oldest one. A call that
// settles in time is only marked; the queue drops it when it reaches the front. At 20k+ calls a
// second, a timer set and cleared per call (and the promise wrapped around it) was a visible share
// of a Redis-backed request's cost.

import { performance } from 'node:perf_hooks';
import { StoreError } from './types.js';

interface Waiter {
  at: number;
  done: boolean;
  /** Ends the call with an error, unless it ended already. Let go of once the call settles: it holds the call's promise, and so its answer, alive. */
  reject: (e: unknown) => void;
}

const SETTLED = (): void => {};

/** The calls waiting under one timeout, oldest first. */
class DeadlineQueue {
  private waiters: Waiter[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly ms: number) {}

  add(w: Waiter): void {
    this.waiters.push(w);
    if (this.timer === null) this.arm(this.ms);
  }

  /** Calls still queued (settled ones included until they reach the front). */
  get length(): number {
    return this.waiters.length - this.head;
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => this.expire(), Math.max(1, Math.ceil(delay)));
    this.timer.unref(); // a deadline alone never keeps the process alive; the call's socket does
  }

  private expire(): void {
    this.timer = null;
    const now = performance.now();
    const { waiters } = this;
    while (this.head < waiters.length) {
      const w = waiters[this.head]!;
      if (!w.done) {
        if (w.at > now) break;
        w.reject(new StoreError(`store: no answer within ${this.ms} ms`, 'timeout'));
      }
      waiters[this.head++] = undefined as unknown as Waiter;
    }
    if (this.head === waiters.length) {
      this.waiters = [];
      this.head = 0;
      return;
    }
    if (this.head > 1024 && this.head * 2 > waiters.length) {
      this.waiters = waiters.slice(this.head);
      this.head = 0;
    }
    this.arm(this.waiters[this.head]!.at - now);
  }
}

const queues = new Map<number, DeadlineQueue>();

/**
 * `p`, mapped by `map`, or a StoreError('timeout') after `ms`, or one when `signal` aborts. Errors
 * of `p` (and of `map`) pass through `mapError` when given.
 */
export function within<T, R = T>(p: Promise<T>, ms: number, o: { signal?: AbortSignal | undefined; map?: (v: T) => R; mapError?: (e: unknown) => unknown } = {}): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const { signal, map, mapError } = o;
    if (signal?.aborted) {
      p.catch(() => {}); // its answer is not wanted, its failure not unhandled
      return reject(new StoreError('store: request aborted', 'timeout'));
    }
    const onAbort = signal ? () => w.reject(new StoreError('store: request aborted', 'timeout')) : null;
    /** Marks the call ended (false when it had already ended: by its answer, its deadline or an abort). */
    const end = (): boolean => {
      if (w.done) return false;
      w.done = true;
      w.reject = SETTLED;
      if (onAbort) signal!.removeEventListener('abort', onAbort);
      return true;
    };
    const w: Waiter = {
      at: performance.now() + ms,
      done: false,
      reject: (e) => {
        if (end()) reject(e);
      },
    };
    if (onAbort) signal!.addEventListener('abort', onAbort, { once: true });
    let q = queues.get(ms);
    if (!q) queues.set(ms, (q = new DeadlineQueue(ms)));
    q.add(w);
    p.then(
      (v) => {
        if (!end()) return;
        if (!map) return resolve(v as unknown as R);
        try {
          resolve(map(v));
        } catch (e) {
          reject(mapError ? mapError(e) : e);
        }
      },
      (e: unknown) => {
        if (end()) reject(mapError ? mapError(e) : e);
      },
    );
  });
}

/** Rejects with StoreError('timeout') after `ms`, or when the signal aborts. */
export function withTimeout<T>(p: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return within(p, ms, { signal });
}

/** Calls queued under the timeout `ms` (tests check that settled calls are let go). */
export function pendingDeadlines(ms: number): number {
  return queues.get(ms)?.length ?? 0;
}
