// Owns GET /openapi.json: the API's OpenAPI 3.1 description, the repository's openapi.json,
// read once at start-up (a missing or invalid file is a start-up error). Open, like the probes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../util/package-root.js';
import type { RouteSpec } from '../http.js';

/** <repo>/openapi.json: the nearest ancestor directory of this module holding package.json. */
export function defaultOpenapiPath(): string {
  return join(packageRoot(), 'openapi.json');
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
