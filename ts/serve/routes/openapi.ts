// Owns GET /openapi.json: the API's OpenAPI 3.1 description, the repository's openapi.json,
// read once at start-up (a missing or invalid file is a start-up error). Open, like the probes.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RouteSpec } from '../http.js';

/** <repo>/openapi.json: the nearest ancestor directory of this module holding package.json. */
export function defaultOpenapiPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}; pass openapiPath`);
    dir = up;
  }
  return join(dir, 'openapi.json');
}

export function openapiRoute(path: string = defaultOpenapiPath()): RouteSpec {
  let body: string;
  try {
    body = JSON.stringify(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    throw new Error(`cannot serve the OpenAPI description ${path}: ${(e as Error).message}`);
  }
  return { pattern: '/openapi.json', label: '/openapi.json', auth: false, handler: () => ({ status: 200, body }) };
}
