// Owns the load generator's HTTP/1.1 client: a pool of keep-alive connections (plain TCP or TLS)
// to one target that writes pre-built request bytes and reads just enough of each response (status
// line, Content-Length or chunked end; ./response.ts) to know when it is complete. No pipelining: a
// request goes on an idle connection (the one idle longest, so every open connection stays in use
// and no server closes one for idleness), else on a new one up to the pool's limit, else waits in
// a queue; its latency is measured by the caller from the intended send time, so waiting here
// counts. Opening a connection costs the generator about half a millisecond of its loop.
// `warm(n)` opens connections before the measured window, so none is opened inside it when the
// load stays below what they carry. The hot path allocates nothing per request: plain TCP reads
// into one buffer per pool (the socket's `onread`), a request is a slot number, and a response that
// arrives in one read is parsed where it lies.
// A request not answered within the timeout of its intended send time is a timeout (its connection
// is closed, or it leaves the queue unsent), so a run against a stalled target still ends on time.

import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ResponseReader } from './response.js';

/** HTTP status, or 0 for a connection error, -1 for a timeout. */
export type Status = number;

/**
 * Called once per request: `slot` as given to `request`, the status, performance.now() when the
 * response was complete (or the failure seen), and the connection error's code when status is 0.
 */
export type OnOutcome = (slot: number, status: Status, at: number, error: string | undefined) => void;

export interface PoolOptions {
  url: URL;
  maxConnections: number;
  timeoutMs: number;
  /** Accept self-signed certificates (--insecure). */
  insecure: boolean;
  onOutcome: OnOutcome;
}

const READ_BUFFER = 64 * 1024;

class Connection {
  readonly socket: Socket;
  /** Slot of the request in flight, or -1. */
  slot = -1;
  /** performance.now() the request in flight was meant to leave; its timeout counts from here. */
  intended = 0;
  private readonly reader = new ResponseReader();
  alive = true;
  connected = false;

  constructor(
    private readonly pool: Pool,
    onConnect?: () => void,
  ) {
    const u = pool.o.url;
    const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
    if (u.protocol === 'https:') {
      this.socket = tlsConnect({ host: u.hostname, port, ...(isIP(u.hostname) === 0 && { servername: u.hostname }), rejectUnauthorized: !pool.o.insecure });
      this.socket.on('data', (d: Buffer) => this.onBytes(d, 0, d.length));
    } else {
      this.socket = tcpConnect({ host: u.hostname, port, onread: { buffer: pool.readBuffer, callback: (n, buf) => (this.onBytes(buf, 0, n), true) } });
    }
    this.socket.setNoDelay(true);
    this.socket.once(u.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      onConnect?.();
    });
    this.socket.on('error', (e: NodeJS.ErrnoException) => this.fail(e.code ?? e.message));
    this.socket.on('close', () => this.fail('ECONNRESET'));
  }

  send(slot: number, bytes: Buffer, intended: number): void {
    this.slot = slot;
    this.intended = intended;
    this.reader.reset();
    this.socket.write(bytes);
  }

  private onBytes(buf: Uint8Array, start: number, end: number): void {
    if (this.slot < 0) return; // nothing asked: ignore (the server closes idle sockets its own way)
    if (!this.reader.feed(buf, start, end)) return;
    const slot = this.slot;
    this.slot = -1;
    this.pool.bytesIn += this.reader.bytes;
    if (this.reader.close) this.destroy();
    this.pool.o.onOutcome(slot, this.reader.status, performance.now(), undefined);
    this.pool.release(this);
  }

  fail(code: string): void {
    const slot = this.slot;
    this.slot = -1;
    this.destroy();
    if (slot >= 0) this.pool.o.onOutcome(slot, code === 'timeout' ? -1 : 0, performance.now(), code);
    this.pool.release(this);
  }

  destroy(): void {
    if (!this.alive) return;
    this.alive = false;
    this.socket.destroy();
  }
}

export class Pool {
  /** Idle connections, longest idle from `idleHead` on. */
  private idle: Connection[] = [];
  private idleHead = 0;
  private readonly all = new Set<Connection>();
  /** Queued requests waiting for a connection: a ring of slots, bytes and intended times. */
  private qSlots = new Int32Array(64);
  private qBytes: Array<Buffer | null> = new Array<Buffer | null>(64).fill(null);
  private qIntended = new Float64Array(64);
  private qHead = 0;
  private qLen = 0;
  private readonly sweeper: NodeJS.Timeout;
  readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER);
  bytesIn = 0;
  /** Most connections open at once. */
  peakConnections = 0;
  /** Longest the queue waiting for a connection got. */
  peakQueue = 0;
  /** Connections opened after `warm` (inside the measured window). */
  openedCold = 0;

  constructor(readonly o: PoolOptions) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(100, o.timeoutMs / 4));
  }

  /** Opens `n` connections (up to the pool's limit) and resolves once they are connected (or failed). */
  warm(n: number): Promise<void> {
    const count = Math.min(n, this.o.maxConnections) - this.all.size;
    if (count <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      let left = count;
      const one = () => {
        if (--left === 0) resolve();
      };
      for (let i = 0; i < count; i++) {
        const c = new Connection(this, one);
        c.socket.once('close', () => {
          if (!c.connected) one();
        });
        this.all.add(c);
        this.idle.push(c);
      }
      this.peakConnections = Math.max(this.peakConnections, this.all.size);
    });
  }

  /** Sends `bytes` (or queues them) as request `slot`; `intended` is the performance.now() time it was meant to leave. */
  request(slot: number, bytes: Buffer, intended: number): void {
    let c = this.takeIdle();
    while (c && !c.alive) c = this.takeIdle();
    if (c) return c.send(slot, bytes, intended);
    if (this.all.size < this.o.maxConnections) return this.open().send(slot, bytes, intended); // written once connected (the socket buffers it)
    this.enqueue(slot, bytes, intended);
  }

  private takeIdle(): Connection | undefined {
    if (this.idleHead === this.idle.length) return undefined;
    const c = this.idle[this.idleHead++];
    if (this.idleHead > 1024 && this.idleHead * 2 > this.idle.length) {
      this.idle = this.idle.slice(this.idleHead);
      this.idleHead = 0;
    }
    return c;
  }

  private open(): Connection {
    const n = new Connection(this);
    this.all.add(n);
    this.openedCold++;
    if (this.all.size > this.peakConnections) this.peakConnections = this.all.size;
    return n;
  }

  private enqueue(slot: number, bytes: Buffer, intended: number): void {
    if (this.qLen === this.qSlots.length) this.growQueue();
    const i = (this.qHead + this.qLen) % this.qSlots.length;
    this.qSlots[i] = slot;
    this.qBytes[i] = bytes;
    this.qIntended[i] = intended;
    this.qLen++;
    if (this.qLen > this.peakQueue) this.peakQueue = this.qLen;
  }

  private growQueue(): void {
    const n = this.qSlots.length * 2;
    const slots = new Int32Array(n);
    const bytes = new Array<Buffer | null>(n).fill(null);
    const intended = new Float64Array(n);
    for (let k = 0; k < this.qLen; k++) {
      const i = (this.qHead + k) % this.qSlots.length;
      slots[k] = this.qSlots[i]!;
      bytes[k] = this.qBytes[i]!;
      intended[k] = this.qIntended[i]!;
    }
    this.qSlots = slots;
    this.qBytes = bytes;
    this.qIntended = intended;
    this.qHead = 0;
  }

  /** Takes the queue's head: calls `f` with it and frees its place. */
  private dequeue(f: (slot: number, bytes: Buffer, intended: number) => void): void {
    const i = this.qHead;
    const bytes = this.qBytes[i]!;
    this.qBytes[i] = null;
    this.qHead = (this.qHead + 1) % this.qSlots.length;
    this.qLen--;
    f(this.qSlots[i]!, bytes, this.qIntended[i]!);
  }

  /** In flight or queued. */
  outstanding(): number {
    let n = this.qLen;
    for (const c of this.all) if (c.slot >= 0) n++;
    return n;
  }

  release(c: Connection): void {
    if (!c.alive) this.all.delete(c);
    if (this.qLen > 0) {
      const to = c.alive ? c : this.open();
      return this.dequeue((slot, bytes, intended) => to.send(slot, bytes, intended));
    }
    if (c.alive) this.idle.push(c);
  }

  private sweep(): void {
    const now = performance.now();
    const limit = now - this.o.timeoutMs;
    // the queue is in intended-time order (near enough): time out from its head
    while (this.qLen > 0 && this.qIntended[this.qHead]! < limit) this.dequeue((slot) => this.o.onOutcome(slot, -1, now, undefined));
    for (const c of [...this.all]) if (c.slot >= 0 && c.intended < limit) c.fail('timeout');
  }

  /** Ends the pool: whatever is still queued or in flight is a timeout; every connection is closed. */
  close(): void {
    clearInterval(this.sweeper);
    const queued: number[] = [];
    while (this.qLen > 0) this.dequeue((slot) => queued.push(slot));
    for (const c of [...this.all]) c.fail('timeout');
    for (const slot of queued) this.o.onOutcome(slot, -1, performance.now(), undefined);
    this.all.clear();
    this.idle.length = 0;
    this.idleHead = 0;
  }
}
