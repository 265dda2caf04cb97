// Owns the benchmark's ceiling: a bare uWebSockets.js endpoint (same package and build as the
// API) that answers every GET with a fixed JSON body of a given size and does nothing else. Run as
// a child process: node dist/bench/serve/bare-server.js <body-bytes>; prints {"port": N}.

import { loadUws } from '../../ts/serve/uws.js';

const size = Math.max(16, Number(process.argv[2] ?? 1000));
const body = `{"pad":"${'x'.repeat(size - 10)}"}`;
const uws = loadUws();
const app = uws.App();
app.get('/*', (res) => {
  res.writeHeader('content-type', 'application/json').end(body);
});
app.listen('127.0.0.1', 0, (socket) => {
  if (!socket) {
    console.error('bare server: cannot listen');
    process.exit(1);
  }
  console.log(JSON.stringify({ port: uws.us_socket_local_port(socket), bytes: body.length }));
  const stop = () => {
    uws.us_listen_socket_close(socket);
    app.close();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
});
