// Owns the native engine: loads native/als.node (built by `pnpm build:native`) and implements
// `Engine` over it. Async methods turn synchronous argument errors into rejections.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Addon } from './addon.js';
import type { Engine, FoldIn } from './types.js';

/** The repository root: the nearest ancestor holding package.json (works from ts/ and dist/ts/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`als engine: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Path of the addon: $ALS_NATIVE_PATH, else <repo>/native/als.node. */
export function nativeAddonPath(): string {
  return process.env.ALS_NATIVE_PATH ?? join(repoRoot(), 'native', 'als.node');
}

const loaded = new Map<string, Addon>();

/** Loads the addon (once per path); throws a clear error when it has not been built. */
export function loadAddon(path: string = nativeAddonPath()): Addon {
  const cached = loaded.get(path);
  if (cached) return cached;
  if (!existsSync(path)) {
    throw new Error(`als engine: native addon not found at ${path}; run \`pnpm build:native\` first`);
  }
  const require = createRequire(import.meta.url);
  let addon: Addon;
  try {
    addon = require(path) as Addon;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`als engine: could not load ${path} (${reason}); rebuild it with \`pnpm build:native\``);
  }
  loaded.set(path, addon);
  return addon;
}

/** The `Engine` backed by the native addon. */
export function createNativeEngine(addon: Addon = loadAddon()): Engine {
  return {
    kind: 'native',
    async fit(data, params, options) {
      return options?.withFactors ? addon.fit(data, params, options.onIteration, true) : addon.fit(data, params, options?.onIteration);
    },
    async topK(factors, options) {
      const { k, users, exclude, threads, onProgress } = options;
      const nUsers = factors.userFactors.length / factors.rank;
      const nItems = factors.itemFactors.length / factors.rank;
      return addon.topK(
        factors,
        {
          k,
          ...(users !== undefined && { users }),
          ...(exclude !== undefined && { exclude: { nUsers, nItems, users: exclude.users, items: exclude.items } }),
          ...(threads !== undefined && { threads }),
        },
        onProgress,
      );
    },
    async similarItems(factors, items, k, options) {
      return addon.similarItems(factors, items, k, options?.threads);
    },
    createFoldIn(factors, params): FoldIn {
      return new addon.FoldIn(factors, params);
    },
    async generateSynthetic(spec) {
      return addon.generateSynthetic(spec);
    },
    kernelName: () => addon.kernelName(),
    forceKernel: (name) => addon.forceKernel(name),
  };
}
