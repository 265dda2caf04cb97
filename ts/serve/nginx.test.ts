// The API behind a real nginx (Debian's /usr/sbin/nginx, run as a child with its own prefix and
// config on free loopback ports): with `proxy_http_version 1.1` (the setting ts/serve/README.md
// documents) clients speaking HTTP/1.1 or 1.0 to nginx get the API's answers, HEAD and POST
// included, over kept-alive upstream connections; with nginx's default (HTTP/1.0 upstream) uWS
// refuses every request with 505, which is why the setting is required.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, fixtureRegistry, getJson } from './testing/fixtures.js';

const NGINX = '/usr/sbin/nginx';
const hasNginx = existsSync(NGINX);
if (!hasNginx) console.warn(`nginx.test: ${NGINX} not found (apt-get install nginx-light); the tests through a real nginx are skipped`);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function startNginx(upstreamPort: number, httpVersion: '1.0' | '1.1'): Promise<{ url: string; proc: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'recs-nginx-'));
  mkdirSync(join(dir, 'logs'));
  const port = await freePort();
  const conf = `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream recs { server 127.0.0.1:${upstreamPort}; keepalive 8; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://recs;
      ${httpVersion === '1.1' ? 'proxy_http_version 1.1;\n      proxy_set_header Connection "";' : '# nginx default: HTTP/1.0 to the upstream'}
      proxy_set_header Host $host;
      proxy_set_header X-Request-Id $request_id;
    }
  }
}`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const proc = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((r) => {
      const c = connect(port, '127.0.0.1', () => (c.destroy(), r(true)));
      c.on('error', () => r(false));
    });
    if (up) return { url: `http://127.0.0.1:${port}`, proc, dir };
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nginx did not start: ${stderr} ${existsSync(join(dir, 'logs/error.log')) ? readFileSync(join(dir, 'logs/error.log'), 'utf8') : ''}`);
}

/** A raw request to nginx (any HTTP version), the whole answer as text. */
function raw(url: string, text: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const c = connect(Number(port), '127.0.0.1');
    let out = '';
    c.on('data', (d) => (out += d));
    c.on('close', () => resolve(out));
    c.on('error', () => resolve(out));
    c.write(text);
    setTimeout(() => c.destroy(), 2000);
  });
}

describe.skipIf(!hasNginx)('behind a real nginx', () => {
  let api: RunningServer;
  const procs: ChildProcess[] = [];
  beforeAll(async () => {
    api = await startServer({
      modelsDir: fixtureRegistry('v1').root,
      port: 0,
      logger: capturedLogger().log,
      loadMode: 'inline',
      eventsDb: join(mkdtempSync(join(tmpdir(), 'recs-nginx-ev-')), 'e.sqlite'),
    });
  });
  afterAll(async () => {
    for (const p of procs) p.kill('SIGTERM');
    await api.close();
  });

  it('with proxy_http_version 1.1: GET, HEAD and POST work, for HTTP/1.1 and HTTP/1.0 clients, over kept-alive upstream connections', async () => {
    const nginx = await startNginx(api.port, '1.1');
    procs.push(nginx.proc);
    for (let i = 0; i < 20; i++) {
      const r = await getJson(`${nginx.url}/v1/users/u3/recommendations?k=3`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ userId: 'u3', source: 'precomputed' });
      expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/); // nginx's $request_id, echoed
    }
    const head = await fetch(`${nginx.url}/v1/users/u3/recommendations?k=3`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await getJson(`${nginx.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ eventId: 'ng-1', userId: 'ng-user', itemId: 'i2', type: 'click' }),
    });
    expect(post.status).toBe(202);
    const http10 = await raw(nginx.url, 'GET /v1/users/u3/recommendations?k=1 HTTP/1.0\r\nHost: x\r\n\r\n');
    expect(http10).toMatch(/^HTTP\/1.1 200 OK/);
    expect(http10).toMatch(/"userId":"u3"/);
    const errors = readFileSync(join(nginx.dir, 'logs/error.log'), 'utf8');
    expect(errors).not.toMatch(/upstream prematurely closed|connection reset/);
  });

  it("with nginx's default (HTTP/1.0 upstream): uWS answers 505 — why the setting is required", async () => {
    const nginx = await startNginx(api.port, '1.0');
    procs.push(nginx.proc);
    const r = await fetch(`${nginx.url}/healthz`);
    expect(r.status).toBe(505);
  });
});
