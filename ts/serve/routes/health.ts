// Owns the probes: GET /healthz (the process is up and serving HTTP) and GET /readyz (a model is
// loaded, its store still holds it and the server is not shutting down: 503 otherwise, so a load balancer stops sending).
// Both are open (no API key), as Kubernetes probes send none.

import type { RouteSpec } from '../http.js';
import type { ServeContext } from '../context.js';

export function healthRoutes(ctx: ServeContext): RouteSpec[] {
  return [
    { pattern: '/healthz', label: '/healthz', auth: false, handler: () => ({ status: 200, body: '{"status":"ok"}' }) },
    {
      pattern: '/readyz',
      label: '/readyz',
      auth: false,
      handler() {
        const m = ctx.models.current;
        if (ctx.draining()) return { status: 503, body: JSON.stringify({ status: 'not_ready', reason: 'shutting down' }) };
        if (!m) return { status: 503, body: JSON.stringify({ status: 'not_ready', reason: 'no model loaded' }) };
        const lost = ctx.integrity?.degradedNow();
        if (lost) return { status: 503, body: JSON.stringify({ status: 'not_ready', reason: `store degraded: ${lost}`, modelVersion: m.version, store: m.store.kind }) };
        return { status: 200, body: JSON.stringify({ status: 'ready', modelVersion: m.version, store: m.store.kind, loadedAt: m.loadedAt.toISOString() }) };
      },
    },
  ];
}
