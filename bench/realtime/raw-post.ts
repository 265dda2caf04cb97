// Owns the real-time bench's HTTP client for POSTs: kept-alive TCP connections (node:net), one
// request in flight on each, the request written as one string and the answer read only as far as
// its status line, its length and the end of its body. It exists because the bench shares two
// cores with the server: node:http cost the event writer 21–32 µs of CPU per event, about 1 ms
// per POST (0.11–0.15 of a core at 5,000 events/s; this client 10–16 µs, 0.05–0.06), CPU the
// server under test did not get. Answers must carry Content-Length or be chunked (the server's
// always do).

import { connect, type Socket } from 'node:net';

interface Conn {
  socket: Socket;
  /** Bytes of the answer being read. */
  buf: Buffer;
  done: ((status: number) => void) | null;
}

/** The status of the complete answer at the start of `b` and its length in bytes, or null while incomplete. */
export function parseAnswer(b: Buffer): { status: number; length: number } | null {
  const head = b.indexOf('\r\n\r\n');
  if (head < 0) return null;
  const text = b.toString('latin1', 0, head);
  const status = Number(text.slice(9, 12));
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(text);
  if (cl) {
    const length = head + 4 + Number(cl[1]);
    return b.length >= length ? { status, length } : null;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(text)) {
    let at = head + 4;
    for (;;) {
      const eol = b.indexOf('\r\n', at);
      if (eol < 0) return null;
      const size = parseInt(b.toString('latin1', at, eol), 16);
      if (!Number.isFinite(size)) throw new Error('bench POST client: a chunk size that is not hex');
      at = eol + 2 + size + 2;
      if (b.length < at) return null;
      if (size === 0) return { status, length: at };
    }
  }
  // no body (204, 304) or a length the client cannot know
  if (status === 204 || status === 304) return { status, length: head + 4 };
  throw new Error(`bench POST client: an answer (${status}) with neither Content-Length nor chunked encoding`);
}

export class RawPoster {
  private readonly idle: Conn[] = [];
  private readonly all = new Set<Conn>();
  private readonly head: string;

  constructor(
    private readonly url: URL,
    headers: Record<string, string>,
  ) {
    this.head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}`;
  }

  /** POSTs `body`; resolves with the answer's status, 0 when the connection failed. */
  post(body: string): Promise<number> {
    return new Promise((resolve) => {
      const c = this.idle.pop() ?? this.open();
      c.done = (status) => {
        c.done = null;
        if (status > 0) this.idle.push(c);
        resolve(status);
      };
      c.socket.write(`${this.head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  close(): void {
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.idle.length = 0;
  }

  private open(): Conn {
    const socket = connect({ host: this.url.hostname, port: Number(this.url.port || 80) });
    socket.setNoDelay(true);
    const c: Conn = { socket, buf: Buffer.alloc(0), done: null };
    this.all.add(c);
    const fail = () => {
      this.all.delete(c);
      const i = this.idle.indexOf(c);
      if (i >= 0) this.idle.splice(i, 1);
      socket.destroy();
      c.done?.(0);
    };
    socket.on('data', (chunk: Buffer) => {
      c.buf = c.buf.length === 0 ? chunk : Buffer.concat([c.buf, chunk]);
      let a: ReturnType<typeof parseAnswer>;
      try {
        a = parseAnswer(c.buf);
      } catch {
        return fail();
      }
      if (!a) return;
      c.buf = c.buf.subarray(a.length);
      c.done?.(a.status);
    });
    socket.on('error', fail);
    socket.on('close', fail);
    return c;
  }
}
