// Owns batching the serving tier's Redis reads: the GETs asked for during one turn of the event
// loop (every request uWebSockets.js hands over from one poll of the sockets) go to Redis as one
// MGET, sent when the turn ends (setImmediate). One command and one write() for a batch instead of
// one per request: a GET per request spent a quarter of the server's time in the write syscall and
// most of redis-server's in reading and answering single commands. ioredis's own auto-pipelining
// does not help here: it flushes on process.nextTick, which runs after every uWS callback, so each
// request would still be a batch of one. A batch of one is sent as a plain GET; batches are cut at
// `maxBatch` keys. A failed MGET fails every read in it (the API answers them from the fallback).

import type { Redis } from 'ioredis';

interface Pending {
  key: string;
  resolve: (v: Buffer | null) => void;
  reject: (e: unknown) => void;
}

export class RedisGetBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  /** Commands sent and keys read through them (tests and benchmarks look at the batch sizes). */
  readonly sent = { commands: 0, keys: 0 };

  constructor(
    private readonly client: Redis,
    private readonly maxBatch = 256,
  ) {}

  /** The value of `key` (null when absent), read in this turn's batch. */
  get(key: string): Promise<Buffer | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.queue;
    this.queue = [];
    for (let i = 0; i < all.length; i += this.maxBatch) this.send(all.length <= this.maxBatch ? all : all.slice(i, i + this.maxBatch));
  }

  private send(batch: Pending[]): void {
    this.sent.commands++;
    this.sent.keys += batch.length;
    const failAll = (e: unknown) => {
      for (const p of batch) p.reject(e);
    };
    if (batch.length === 1) {
      const p = batch[0]!;
      this.client.getBuffer(p.key).then(p.resolve, p.reject);
      return;
    }
    const keys = batch.map((p) => p.key);
    this.client.mgetBuffer(keys).then((values) => {
      if (values.length !== batch.length) return failAll(new Error(`MGET of ${batch.length} keys answered ${values.length} values`));
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(values[i] ?? null);
    }, failAll);
  }
}
