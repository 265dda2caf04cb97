// Owns the "try it" page: GET / and its static files (web/), the WebAssembly engine
// (native/als*.wasm) and GET /demo/model.bin, the active model's compact payload (item ids,
// titles, genres, popularity, item factors, fold-in parameters). The browser folds picks in
// locally; nothing is sent back. Open (no API key): it exposes item factors, not user data.
// The payload is built when a model version is loaded (in the loader's worker, ../prepared.ts)
// and served from memory with an ETag naming the version: a revalidation gets a 304.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentType, PAGE_FILES, PAYLOAD_PATH, repoRoot, WASM_PATHS } from '../../../web/build-static.js';
import type { ServeContext } from '../context.js';
import type { Reply, RouteSpec } from '../http.js';

export function demoRoutes(ctx: ServeContext): RouteSpec[] {
  const root = repoRoot();
  const files = new Map<string, string>();
  for (const name of PAGE_FILES) files.set(name, join(root, 'web', name));
  for (const [path, built] of Object.entries(WASM_PATHS)) files.set(path, join(root, 'native', built));
  const cache = new Map<string, Buffer>();
  const staticFile = (path: string): Reply => {
    const file = files.get(path)!;
    if (!existsSync(file)) return notFound(`${path} is not built on this server (run \`pnpm build:wasm\`)`);
    let body = cache.get(file);
    if (!body) cache.set(file, (body = readFileSync(file)));
    return { status: 200, body, type: contentType(path), headers: { 'cache-control': 'no-cache' } };
  };
  const routes: RouteSpec[] = [
    { pattern: '/', label: '/', auth: false, handler: () => staticFile('index.html') },
    {
      pattern: `/${PAYLOAD_PATH}`,
      label: `/${PAYLOAD_PATH}`,
      auth: false,
      conditional: true,
      handler(r) {
        const m = ctx.models.current;
        if (!m) return { status: 503, body: JSON.stringify({ error: 'not_ready', message: 'no model loaded', status: 503 }) };
        const etag = `"demo-${m.version}"`;
        const headers = { etag, 'cache-control': 'no-cache', 'x-model-version': m.version };
        if (r.ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return { status: 304, body: '', type: contentType(PAYLOAD_PATH), headers };
        return { status: 200, body: m.prepared.demoPayload, type: contentType(PAYLOAD_PATH), headers };
      },
    },
  ];
  for (const path of files.keys()) routes.push({ pattern: `/${path}`, label: `/${path}`, auth: false, handler: () => staticFile(path) });
  return routes;
}

function notFound(message: string): Reply {
  return { status: 404, body: JSON.stringify({ error: 'not_found', message, status: 404 }) };
}
