// Owns loading uWebSockets.js (npm "uWebSockets.js" = @based/uws 6.0.1, upstream v20.51.0). The
// native module is loaded when a server starts, not at import, and a failure is an error that says
// what was tried and why it matters, instead of a bare dlopen message deep in a stack.

import { createRequire } from 'node:module';
import type * as Uws from 'uWebSockets.js';

export type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';
export type UwsModule = typeof Uws;

let loaded: UwsModule | null = null;

export class UwsLoadError extends Error {
  override name = 'UwsLoadError';
}

/** The module, loaded once; `require` is replaceable for tests of the failure path. */
export function loadUws(require: (id: string) => unknown = createRequire(import.meta.url)): UwsModule {
  if (loaded) return loaded;
  let mod: UwsModule;
  try {
    mod = require('uWebSockets.js') as UwsModule;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new UwsLoadError(
      `uWebSockets.js did not load: its native module for ${process.platform}-${process.arch}, Node ABI ${process.versions.modules} ` +
        `(Node ${process.version}) could not be opened. The server cannot run without it. ` +
        `Reinstall with \`pnpm install\`; the pinned build (@based/uws 6.0.1) has binaries for Node 18, 20, 22 and 23 on glibc Linux, macOS and Windows (x64, arm64).\n${reason}`,
    );
  }
  if (typeof mod?.App !== 'function') throw new UwsLoadError('uWebSockets.js loaded but has no App(): wrong package installed under that name?');
  return (loaded = mod);
}
