// Owns the "try it" page: GET / and its static files (web/), the WebAssembly engine
// (native/als*.wasm) and GET /demo/model.bin, the active model's compact payload (item ids,
// titles, genres, popularity, item factors, fold-in parameters). The browser folds picks in
// locally; nothing is sent back. Open (no API key) unless the server requires auth
// (--require-auth: a key with the read scope); --no-demo leaves these routes out (404).
// The payload is built from the artifact on first request for a version and kept for it.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentType, PAGE_FILES, PAYLOAD_PATH, repoRoot, WASM_PATHS } from '../../../web/build-static.js';
import { readArtifact } from '../../model/artifact.js';
import { encodeDemoPayload } from '../../model/demo-payload.js';
import type { ServeContext } from '../context.js';
import type { Reply, RouteSpec } from '../http.js';

/** `auth`: the page and payload need an API key too (the server's --require-auth). */
export function demoRoutes(ctx: ServeContext, auth = false): RouteSpec[] {
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
  let payload: { version: string; body: Buffer } | null = null;
  const routes: RouteSpec[] = [
    { pattern: '/', label: '/', auth: false, handler: () => staticFile('index.html') },
    {
      pattern: `/${PAYLOAD_PATH}`,
      label: `/${PAYLOAD_PATH}`,
      auth: false,
      handler() {
        const m = ctx.models.current;
        if (!m) return { status: 503, body: JSON.stringify({ error: 'not_ready', message: 'no model loaded', status: 503 }) };
        if (payload?.version !== m.version) payload = { version: m.version, body: encodeDemoPayload(readArtifact(m.prepared.dir, { verify: false }), { factors: 'f16' }) };
        return { status: 200, body: payload.body, type: contentType(PAYLOAD_PATH), headers: { 'x-model-version': m.version } };
      },
    },
  ];
  for (const path of files.keys()) routes.push({ pattern: `/${path}`, label: `/${path}`, auth: false, handler: () => staticFile(path) });
  return routes.map((r) => ({ ...r, auth }));
}

function notFound(message: string): Reply {
  return { status: 404, body: JSON.stringify({ error: 'not_found', message, status: 404 }) };
}
