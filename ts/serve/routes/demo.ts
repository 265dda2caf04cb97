// Owns the "try it" page: GET / and its static files (web/), the WebAssembly engine
// (native/als*.wasm) and GET /demo/model.bin, the active model's compact payload (item ids,
// titles, genres, popularity, item factors, fold-in parameters). The browser folds picks in
// locally; nothing is sent back. Open (no API key) unless the server requires auth
// (--require-auth: a key with the read scope); --no-demo leaves these routes out (404).
// The payload is built when a model version is loaded (in the loader's worker, ../prepared.ts)
// and served from memory with an ETag naming the version: a revalidation gets a 304.
// Without the WASM engine (a machine or image built without a WebAssembly toolchain) the page still
// shows the popularity list and says in the page what is missing; the server logs it at start-up.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentType, PAGE_FILES, PAYLOAD_PATH, WASM_PATHS } from '../../../web/build-static.js';
import { packageRoot } from '../../util/package-root.js';
import type { ServeContext } from '../context.js';
import type { Reply, RouteSpec } from '../http.js';

/**
 * `wasmDir`: where the built engine is (default <repo>/native, where `pnpm build:wasm` writes it);
 * `auth`: the page and payload need an API key too (the server's --require-auth).
 */
export function demoRoutes(ctx: ServeContext, wasmDir = join(packageRoot(), 'native'), auth = false): RouteSpec[] {
  const root = packageRoot();
  const files = new Map<string, string>();
  for (const name of PAGE_FILES) files.set(name, join(root, 'web', name));
  for (const [path, built] of Object.entries(WASM_PATHS)) files.set(path, join(wasmDir, built));
  const missing = Object.values(WASM_PATHS)
    .map((built) => join(wasmDir, built))
    .filter((f) => !existsSync(f));
  if (missing.length > 0) ctx.log.warn({ missing }, `try-it page without its WebAssembly engine: ${WASM_MISSING}`);
  const cache = new Map<string, Buffer>();
  const staticFile = (path: string): Reply => {
    const file = files.get(path)!;
    if (!existsSync(file)) return notFound(path in WASM_PATHS ? `${path} is not built on this server: ${WASM_MISSING}` : `${path} is missing on this server`);
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
  return routes.map((r) => ({ ...r, auth }));
}

/** What a missing engine means and how to build it (the start-up log and the page say it). */
export const WASM_MISSING =
  'the page shows the popularity list only (picking movies needs the engine). Build it with `pnpm build:wasm` on a machine with a WebAssembly toolchain: rustup target add wasm32-unknown-unknown, or Debian/Ubuntu: apt-get install rustc-web cargo-web rust-web-src lld-22; the Dockerfile builds it in the image';

function notFound(message: string): Reply {
  return { status: 404, body: JSON.stringify({ error: 'not_found', message, status: 404 }) };
}
