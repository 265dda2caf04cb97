// Owns finding the package (repository) root: the nearest ancestor directory of a module that
// holds package.json. Works from the sources (ts/…, web/…) and from the build (dist/ts/…), which
// sit at different depths. Below every other layer: it imports nothing of the project.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest ancestor of `from` (a file URL or path; default: this module) holding package.json. */
export function packageRoot(from: string = import.meta.url): string {
  const start = from.startsWith('file:') ? fileURLToPath(from) : from;
  let dir = dirname(start);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
}
