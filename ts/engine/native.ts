// Owns the native engine: loads the addon (the local build native/als.<platform>.node from
// `pnpm build:native`, else the platform package; see native-locate.ts), refuses a file that does
// not load or is not this project's, and implements `Engine` over it. Async methods turn
// synchronous argument errors into rejections.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

import type { Addon } from './addon.js';
import { addonCandidates, localAddonPath, type AddonSource } from './native-locate.js';
import type { Engine, FoldIn } from './types.js';

/** Path of the local build: $ALS_NATIVE_PATH, else <repo>/native/als.<platform>.node. */
export function nativeAddonPath(): string {
  return localAddonPath();
}

const loaded = new Map<string, Addon>();
/** What every build of crates/als-node exports: a file lacking one is another program's addon. */
const EXPORTS = ['fit', 'topK', 'similarItems', 'easeWeights', 'generateSynthetic', 'kernelName', 'forceKernel', 'FoldIn'] as const;

/** Loads the addon at `path` (once per path); throws a clear error, naming the file, when it is missing, corrupt or not this project's. */
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
    const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new Error(`als engine: refused ${path}: it does not load (${reason}); rebuild it with \`pnpm build:native\``);
  }
  const missing = EXPORTS.filter((name) => typeof (addon as unknown as Record<string, unknown>)[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`als engine: refused ${path}: not a build of crates/als-node (missing ${missing.join(', ')}); rebuild it with \`pnpm build:native\``);
  }
  loaded.set(path, addon);
  return addon;
}

/** The first native addon that loads, in the order of addonCandidates(); the error lists why each failed. */
export function findAddon(root?: string): { addon: Addon; path: string; source: AddonSource } {
  const { candidates, absent } = addonCandidates(root);
  const refused: string[] = [];
  for (const c of candidates) {
    try {
      if (c.pkg && c.pkg.version !== c.pkg.expected) {
        throw new Error(`als engine: refused ${c.path}: ${c.pkg.name} is version ${c.pkg.version}, this package needs ${c.pkg.expected}`);
      }
      return { addon: loadAddon(c.path), path: c.path, source: c.source };
    } catch (e) {
      refused.push((e instanceof Error ? e.message : String(e)).replace(/^als engine: /, ''));
    }
  }
  const why = [...refused, ...absent].join('; ');
  throw new Error(`als engine: no native addon loads (${why}); run \`pnpm build:native\` (needs Rust) to build one`);
}

/** The `Engine` backed by the native addon. */
export function createNativeEngine(addon: Addon = findAddon().addon): Engine {
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
    async easeWeights(x, lambda, options) {
      return addon.easeWeights(x, lambda, options?.threads);
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
