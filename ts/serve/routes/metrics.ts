// Owns GET /metrics: the Prometheus text exposition (see ../metrics.ts). Open by default, like
// the probes: it shows counts and the model version, no user data, and the Kubernetes manifests
// keep it on the cluster network; `protectMetrics` puts it behind the API key like /v1.

import type { RouteSpec } from '../http.js';
import type { ServeContext } from '../context.js';

export function metricsRoute(ctx: ServeContext, protect: boolean): RouteSpec {
  return {
    pattern: '/metrics',
    label: '/metrics',
    auth: protect,
    handler: () => ({ status: 200, type: 'text/plain; version=0.0.4; charset=utf-8', body: ctx.metrics.render() }),
  };
}
