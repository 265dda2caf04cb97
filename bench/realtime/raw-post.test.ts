import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAnswer, RawPoster } from './raw-post.js';

describe('the bench POST client', () => {
  let server: Server;
  let base: URL;
  const bodies: string[] = [];
  let connections = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        bodies.push(body);
        if (req.url === '/chunked') {
          res.writeHead(202, { 'content-type': 'application/json' });
          res.write('{"accepted":');
          res.end('1}');
        } else if (body === 'bad') res.writeHead(400, { 'content-length': '5' }).end('nope!');
        else res.writeHead(202, { 'content-length': '2' }).end('ok');
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads statuses and whole answers off kept-alive connections, bodies intact', async () => {
    const p = new RawPoster(new URL('/v1/events', base), { 'content-type': 'application/json', 'x-api-key': 'k' });
    const sent = Array.from({ length: 40 }, (_, i) => `[{"eventId":"é-${i}","n":${'x'.repeat(i * 50).length}}]`);
    const first = await Promise.all(sent.slice(0, 8).map((b) => p.post(b)));
    const rest = await Promise.all(sent.slice(8).map((b) => p.post(b)));
    expect([...first, ...rest].every((s) => s === 202)).toBe(true);
    expect(await p.post('bad')).toBe(400);
    expect(bodies.slice(0, 40).sort()).toEqual([...sent].sort());
    expect(connections).toBeLessThanOrEqual(32); // reused, not one per request
    p.close();
    const c = new RawPoster(new URL('/chunked', base), {});
    expect(await c.post('{}')).toBe(202);
    expect(await c.post('{}')).toBe(202);
    c.close();
  });

  it('answers 0 when nothing listens', async () => {
    const p = new RawPoster(new URL('http://127.0.0.1:1/v1/events'), {});
    expect(await p.post('[]')).toBe(0);
    p.close();
  });

  it('parses answers only once complete', () => {
    const a = Buffer.from('HTTP/1.1 202 Accepted\r\nContent-Length: 5\r\n\r\nhello');
    expect(parseAnswer(a)).toEqual({ status: 202, length: a.length });
    expect(parseAnswer(a.subarray(0, a.length - 1))).toBeNull();
    expect(parseAnswer(Buffer.from('HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1'))).toEqual({ status: 204, length: 27 });
    const chunked = Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    expect(parseAnswer(chunked)).toEqual({ status: 200, length: chunked.length });
    expect(parseAnswer(chunked.subarray(0, chunked.length - 2))).toBeNull();
    expect(() => parseAnswer(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'))).toThrow(/neither Content-Length nor chunked/);
  });
});
