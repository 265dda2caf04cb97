// Owns the load generator's HTTP/1.1 client: a pool of keep-alive connections (plain TCP or TLS)
// to one target that writes pre-built request bytes and reads just enough of each response (status
// line, Content-Length or chunked end) to know when it is complete. No pipelining: a request goes
// on an idle connection, else on a new one up to the pool's limit, else waits in a queue; its
// latency is measured by the caller from the intended send time, so waiting here counts.
// A request not answered within the timeout of its intended send time is a timeout (its connection
// is closed, or it leaves the queue unsent), so a run against a stalled target still ends on time.

import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface Outcome {
  /** HTTP status, or 0 for a connection error, -1 for a timeout. */
  status: number;
  /** performance.now() when the response was complete (or the failure seen). */
  at: number;
  /** The connection error's code, when status is 0. */
  error?: string;
}

type Done = (o: Outcome) => void;

interface Pending {
  bytes: Buffer;
  done: Done;
  /** performance.now() when the request should have been sent; the timeout counts from here. */
  intended: number;
}

export interface PoolOptions {
  url: URL;
  maxConnections: number;
  timeoutMs: number;
  /** Accept self-signed certificates (--insecure). */
  insecure: boolean;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

class Connection {
  socket: Socket;
  current: Pending | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private expect = -1; // total bytes of the current response once headers are parsed; -2 chunked
  private status = 0;
  private close = false;
  alive = true;

  constructor(private readonly pool: Pool) {
    const u = pool.o.url;
    const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
    this.socket =
      u.protocol === 'https:'
        ? tlsConnect({ host: u.hostname, port, ...(isIP(u.hostname) === 0 && { servername: u.hostname }), rejectUnauthorized: !pool.o.insecure })
        : tcpConnect({ host: u.hostname, port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', (e: NodeJS.ErrnoException) => this.fail(e.code ?? e.message));
    this.socket.on('close', () => this.fail('ECONNRESET'));
  }

  send(p: Pending): void {
    this.current = p;
    this.buf = Buffer.alloc(0);
    this.expect = -1;
    this.socket.write(p.bytes);
  }

  private onData(d: Buffer): void {
    if (!this.current) return; // nothing asked: ignore (the server closes idle sockets its own way)
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    if (this.expect === -1) {
      const end = this.buf.indexOf(HEADER_END);
      if (end < 0) return;
      const head = this.buf.subarray(0, end).toString('latin1');
      this.status = Number(head.slice(9, 12));
      const lower = head.toLowerCase();
      this.close = /\r\nconnection:\s*close/.test(lower);
      const len = /\r\ncontent-length:\s*(\d+)/.exec(lower);
      if (len) this.expect = end + 4 + Number(len[1]);
      else if (/\r\ntransfer-encoding:\s*chunked/.test(lower)) this.expect = -2;
      else this.expect = end + 4; // no body (204, 304) or read-until-close, which uWS never does
    }
    if (this.expect === -2 ? !this.endsChunked() : this.buf.length < this.expect) return;
    const p = this.current;
    this.current = null;
    this.pool.bytesIn += this.buf.length;
    if (this.close) this.destroy();
    p.done({ status: this.status, at: performance.now() });
    this.pool.release(this);
  }

  private endsChunked(): boolean {
    return this.buf.length >= 5 && this.buf.subarray(this.buf.length - 5).equals(CHUNKED_END);
  }

  fail(code: string): void {
    const p = this.current;
    this.current = null;
    this.destroy();
    if (p) p.done({ status: code === 'timeout' ? -1 : 0, at: performance.now(), error: code });
    this.pool.release(this);
  }

  destroy(): void {
    if (!this.alive) return;
    this.alive = false;
    this.socket.destroy();
  }
}

export class Pool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly queue: Pending[] = [];
  private qHead = 0;
  private readonly sweeper: NodeJS.Timeout;
  bytesIn = 0;
  /** Most connections open at once. */
  peakConnections = 0;
  /** Longest the queue waiting for a connection got. */
  peakQueue = 0;

  constructor(readonly o: PoolOptions) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(100, o.timeoutMs / 4));
  }

  /** Sends `bytes` (or queues them); `intended` is the performance.now() time it was meant to leave. */
  request(bytes: Buffer, intended: number, done: Done): void {
    const p: Pending = { bytes, done, intended };
    const c = this.idle.pop();
    if (c) return c.send(p);
    if (this.all.size < this.o.maxConnections) {
      const n = new Connection(this);
      this.all.add(n);
      if (this.all.size > this.peakConnections) this.peakConnections = this.all.size;
      return n.send(p); // written once connected (the socket buffers it)
    }
    this.queue.push(p);
    const waiting = this.queue.length - this.qHead;
    if (waiting > this.peakQueue) this.peakQueue = waiting;
  }

  /** In flight or queued. */
  outstanding(): number {
    let n = this.queue.length - this.qHead;
    for (const c of this.all) if (c.current) n++;
    return n;
  }

  release(c: Connection): void {
    if (!c.alive) this.all.delete(c);
    if (this.qHead < this.queue.length) {
      const p = this.queue[this.qHead++]!;
      if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
        this.queue.splice(0, this.qHead);
        this.qHead = 0;
      }
      if (c.alive) return c.send(p);
      const n = new Connection(this);
      this.all.add(n);
      return n.send(p);
    }
    if (c.alive) this.idle.push(c);
  }

  private sweep(): void {
    const limit = performance.now() - this.o.timeoutMs;
    // the queue is in intended-time order (near enough): time out from its head
    while (this.qHead < this.queue.length && this.queue[this.qHead]!.intended < limit) this.queue[this.qHead++]!.done({ status: -1, at: performance.now() });
    for (const c of [...this.all]) if (c.current && c.current.intended < limit) c.fail('timeout');
  }

  /** Ends the pool: whatever is still queued or in flight is a timeout; every connection is closed. */
  close(): void {
    clearInterval(this.sweeper);
    const left = this.queue.slice(this.qHead);
    this.queue.length = 0;
    this.qHead = 0;
    for (const c of [...this.all]) c.fail('timeout');
    for (const p of left) p.done({ status: -1, at: performance.now() });
    this.all.clear();
    this.idle.length = 0;
  }
}
