// Owns a deliberately stalling HTTP server for the open-loop test: it answers every request at
// once with a small JSON body, except that request number `stallAt` blocks its event loop for
// `stallMs` (a busy wait, as a long GC pause or a slow synchronous call would) before answering.
// Requests sent meanwhile wait in the kernel; an open-loop generator must see their latency grow
// with the time they waited, a closed-loop one sees one slow request per connection.
// Run as a child process: node stall-server.mjs <stallAt> <stallMs>; prints {"port": N} when it
// listens and {"stalled": true} after the stall.

import { createServer } from 'node:http';

const [stallAt, stallMs] = process.argv.slice(2).map(Number);
let n = 0;
const server = createServer((_req, res) => {
  if (++n === stallAt) {
    const until = Date.now() + stallMs;
    while (Date.now() < until);
    console.log(JSON.stringify({ stalled: true }));
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' }).end('{}');
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
