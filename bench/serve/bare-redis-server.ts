// Owns the Redis baseline of the serving benchmark: a bare uWebSockets.js endpoint that does one
// ioredis GET per request (the key the Redis store reads for the user in the path) and answers the
// stored value as it is, or a fixed body when the user has none. No decoding, no JSON, no
// fallback logic: what uWS + ioredis cost on this machine, the figure a Redis-backed API is judged
// against. Run as a child process:
//   node dist/bench/serve/bare-redis-server.js <redis-url> <prefix> <version>; prints {"port": N}.

import { Redis } from 'ioredis';
import { redisKeys } from '../../ts/store/redis-keys.js';
import { loadUws } from '../../ts/serve/uws.js';

const [url, prefix, version] = process.argv.slice(2);
if (!url || !prefix || !version) {
  console.error('usage: bare-redis-server.js <redis-url> <prefix> <version>');
  process.exit(2);
}
const keys = redisKeys(prefix);
const redis = new Redis(url);
redis.on('error', (e) => console.error(JSON.stringify({ level: 50, msg: `redis: ${e.message}` })));
const MISSING = Buffer.from('{"items":[]}');
const PATH = /^\/v1\/users\/([^/]+)\/recommendations$/;

const uws = loadUws();
const app = uws.App();
app.get('/*', (res, req) => {
  const m = PATH.exec(req.getUrl());
  if (!m) {
    res.writeStatus('404 Not Found').end();
    return;
  }
  let aborted = false;
  res.onAborted(() => (aborted = true));
  redis.getBuffer(keys.user(version, decodeURIComponent(m[1]!))).then(
    (value) => {
      if (aborted) return;
      res.cork(() => res.writeHeader('content-type', 'application/octet-stream').end(value ?? MISSING));
    },
    (e: Error) => {
      if (aborted) return;
      res.cork(() => res.writeStatus('503 Service Unavailable').end(e.message));
    },
  );
});
await redis.ping(); // connected before it says it listens
app.listen('127.0.0.1', 0, (socket) => {
  if (!socket) {
    console.error('bare redis server: cannot listen');
    process.exit(1);
  }
  console.log(JSON.stringify({ port: uws.us_socket_local_port(socket) }));
  const stop = () => {
    uws.us_listen_socket_close(socket);
    app.close();
    redis.disconnect();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
});
