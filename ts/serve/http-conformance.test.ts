// HTTP conformance tests against a real server on raw sockets and node:http: request smuggling
// (two Content-Length or Transfer-Encoding headers) gets a JSON 400 or the connection closed,
// never a second request run; HEAD answers like GET without a body (and a keep-alive client's next
// response is intact); OPTIONS and CORS preflights; X-Request-Id echoed or made; what uWS's own
// parser answers (HTML, documented in ts/serve/README.md) for what it refuses before the app sees it.

import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, fixtureRegistry, getJson } from './testing/fixtures.js';

let server: RunningServer;
let port = 0;
const logs = capturedLogger('debug');
beforeAll(async () => {
  server = await startServer({ modelsDir: fixtureRegistry('v1').root, port: 0, logger: logs.log, loadMode: 'inline', corsOrigins: ['https://app.example.com'] });
  port = server.port;
});
afterAll(() => server.close());

/** Writes `raw` on a fresh connection; resolves with everything read until the server closes it (or 1 s passes). */
function rawExchange(raw: string): Promise<string> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    let out = '';
    c.on('data', (d) => (out += d.toString('latin1')));
    c.on('error', () => resolve(out));
    c.on('close', () => resolve(out));
    c.write(raw);
    setTimeout(() => c.destroy(), 1000);
  });
}

describe('request smuggling', () => {
  it('two Content-Length headers: a JSON 400 and a closed connection', async () => {
    const out = await rawExchange('POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n[]');
    expect(out).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
    expect(out).toMatch(/\r\nConnection: close\r\n/i);
    expect(JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/2 Content-Length headers/) });
  });

  it('a request smuggled behind conflicting Content-Length headers is never run', async () => {
    const out = await rawExchange('POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 60\r\n\r\nhelloGET /v1/users/smuggled/recommendations HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(out).not.toMatch(/smuggled/);
    expect(out).not.toMatch(/200 OK/);
    expect(logs.lines().some((l) => String(l['url'] ?? '').includes('smuggled'))).toBe(false);
  });

  it('two Transfer-Encoding headers, or one that is not chunked: 400', async () => {
    for (const te of ['Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked', 'Transfer-Encoding: gzip']) {
      const out = await rawExchange(`POST /v1/events HTTP/1.1\r\nHost: x\r\n${te}\r\n\r\n0\r\n\r\n`);
      expect(out).toMatch(/^HTTP\/1.1 400 /);
      expect(out).toMatch(/Transfer-Encoding/);
    }
  });

  it('Content-Length with Transfer-Encoding: uWS refuses it itself (400, its own HTML page)', async () => {
    const out = await rawExchange('POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
  });
});

describe('HEAD', () => {
  it('answers like GET without a body on every GET route, and a keep-alive client reads the next response intact', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const call = (method: string, path: string) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    for (const path of ['/v1/users/u3/recommendations?k=3', '/v1/items/i5/similar', '/healthz', '/readyz', '/metrics', '/openapi.json', '/nowhere']) {
      const head = await call('HEAD', path);
      const get = await call('GET', path);
      expect(head.status).toBe(get.status);
      expect(head.body).toBe('');
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
      // the bodies of these do not change between two calls (the others hold a time or the method)
      if (['/v1/items/i5/similar', '/openapi.json'].includes(path)) expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(get.body));
      expect(get.body.length).toBeGreaterThan(0);
    }
    agent.destroy();
  });
});

describe('OPTIONS and CORS', () => {
  it('OPTIONS without a preflight: 204 with Allow', async () => {
    const r = await fetch(`${server.url}/v1/users/u3/recommendations`, { method: 'OPTIONS' });
    expect(r.status).toBe(204);
    expect(r.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a preflight from an allowed origin is answered; the actual request carries the origin', async () => {
    const pre = await fetch(`${server.url}/v1/events`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(pre.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const get = await fetch(`${server.url}/v1/users/u3/recommendations`, { headers: { origin: 'https://app.example.com' } });
    expect(get.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(get.headers.get('vary')).toBe('Origin');
    expect(get.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
  });

  it('another origin gets no CORS headers', async () => {
    const pre = await fetch(`${server.url}/v1/events`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${server.url}/v1/users/u3/recommendations`, { headers: { origin: 'https://evil.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('X-Request-Id', () => {
  it('echoes a sane client id, makes one otherwise, and logs it with the request', async () => {
    const mine = await getJson(`${server.url}/v1/users/u3/recommendations`, { headers: { 'x-request-id': 'abc-123' } });
    expect(mine.headers.get('x-request-id')).toBe('abc-123');
    const made1 = (await getJson(`${server.url}/healthz`)).headers.get('x-request-id');
    const made2 = (await getJson(`${server.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } })).headers.get('x-request-id');
    expect(made1).toMatch(/^[\w-]+-[0-9a-z]+$/);
    expect(made2).not.toBe('bad id with spaces');
    expect(made2).not.toBe(made1);
    expect(logs.lines().some((l) => l['requestId'] === 'abc-123' && l['msg'] === 'request')).toBe(true);
    const err = await getJson(`${server.url}/v1/users/u3/recommendations?k=0`, { headers: { 'x-request-id': 'err-1' } });
    expect(err.status).toBe(400);
    expect(err.headers.get('x-request-id')).toBe('err-1');
  });
});

describe('what uWS refuses before the application sees the request (documented)', () => {
  it('HTTP/1.0: 505 from uWS itself — a proxy in front must speak HTTP/1.1 (nginx: proxy_http_version 1.1)', async () => {
    const out = await rawExchange('GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1.1 505 /);
  });

  it('a malformed header line: 400 from uWS, connection closed', async () => {
    const out = await rawExchange('GET /healthz HTTP/1.1\r\nHost x\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1.1 400 /);
  });
});
