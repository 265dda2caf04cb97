// Owns an in-process Cosmos DB server for tests and benchmarks: @vercel/cosmosdb-server over HTTPS
// on a free loopback port, with a self-signed certificate (SAN 127.0.0.1, localhost) made by
// openssl at start; `agent` trusts exactly that certificate and keeps connections alive. Also a
// throttling proxy that answers a share of requests with 429 and x-ms-retry-after-ms.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpsServer } from '@vercel/cosmosdb-server';

export interface TlsPair {
  key: Buffer;
  cert: Buffer;
}

export function selfSignedCert(): TlsPair {
  const dir = mkdtempSync(join(tmpdir(), 'recs-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TestCosmos {
  endpoint: string;
  port: number;
  tls: TlsPair;
  agent: Agent;
  close(): Promise<void>;
}

const listen = (s: Server): Promise<number> => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
const closeServer = (s: Server): Promise<void> =>
  new Promise((resolve) => {
    s.closeAllConnections();
    s.close(() => resolve());
  });

export async function startCosmos(tls = selfSignedCert()): Promise<TestCosmos> {
  const server = createHttpsServer({ key: tls.key, cert: tls.cert, keepAlive: true });
  const port = await listen(server);
  const agent = new Agent({ ca: tls.cert, keepAlive: true, maxSockets: 64 });
  return {
    endpoint: `https://127.0.0.1:${port}`,
    port,
    tls,
    agent,
    async close() {
      agent.destroy();
      await closeServer(server);
    },
  };
}

export interface ThrottleProxy {
  endpoint: string;
  /** Requests answered 429 so far. */
  throttled: number;
  forwarded: number;
  close(): Promise<void>;
}

/** An HTTPS proxy in front of `upstream` answering every `every`-th write (POST/PUT/DELETE) with 429. */
export async function startThrottleProxy(upstream: TestCosmos, every = 3, retryAfterMs = 20): Promise<ThrottleProxy> {
  let writes = 0;
  const state = { throttled: 0, forwarded: 0 };
  const server = createServer({ key: upstream.tls.key, cert: upstream.tls.cert }, (req, res) => {
    if (req.method !== 'GET' && ++writes % every === 0) {
      state.throttled++;
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'x-ms-retry-after-ms': String(retryAfterMs), 'x-ms-request-charge': '0' });
      res.end(JSON.stringify({ code: 'TooManyRequests', message: 'Request rate is large (test proxy)' }));
      return;
    }
    state.forwarded++;
    const up = request({ host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent: upstream.agent }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  const port = await listen(server);
  return {
    endpoint: `https://127.0.0.1:${port}`,
    get throttled() {
      return state.throttled;
    },
    get forwarded() {
      return state.forwarded;
    },
    close: () => closeServer(server),
  };
}
