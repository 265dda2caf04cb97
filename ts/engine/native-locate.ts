// Owns where the native addon may come from, in the order the loader tries them:
//   1. $ALS_NATIVE_PATH, when set (then nothing else: the user asked for that file);
//   2. the local build, native/als.<platform>.node (`pnpm build:native`, i.e. `napi build --platform`);
//   3. the platform package realtime-recs-<platform> (the napi-rs layout: one npm package per
//      platform, an optionalDependency that npm/pnpm install only on a matching OS, CPU and libc).
// Platform names follow napi-rs: linux-x64-gnu, linux-arm64-musl, darwin-arm64, win32-x64-msvc, …

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../util/package-root.js';

let musl: boolean | undefined;

/**
 * Whether this Linux process runs on musl (Alpine) rather than glibc: the diagnostic report's
 * glibc version, read once per process and without the report's network section. That section
 * resolves the address of every open socket by a synchronous reverse DNS lookup on the calling
 * thread, which held a serving replica for 5 s per lookup the resolver did not answer (issue #23:
 * the engine loads on the first fold-in, when the Cosmos DB connections are open).
 */
function isMusl(): boolean {
  if (musl !== undefined) return musl;
  const report = process.report as (NodeJS.ProcessReport & { excludeNetwork?: boolean }) | undefined;
  if (!report) return (musl = true);
  const excluded = report.excludeNetwork;
  report.excludeNetwork = true;
  try {
    musl = !(report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
  } finally {
    report.excludeNetwork = excluded;
  }
  return musl;
}

/** This machine's napi-rs platform name, e.g. "linux-x64-gnu"; `null` where no target is built. */
export function platformName(platform: string = process.platform, arch: string = process.arch, musl?: boolean): string | null {
  if (platform === 'linux' && (arch === 'x64' || arch === 'arm64')) return `linux-${arch}-${(musl ?? isMusl()) ? 'musl' : 'gnu'}`;
  if (platform === 'darwin' && (arch === 'x64' || arch === 'arm64')) return `darwin-${arch}`;
  if (platform === 'win32' && arch === 'x64') return 'win32-x64-msvc';
  return null;
}

export type AddonSource = 'ALS_NATIVE_PATH' | 'local build' | 'platform package';

export interface AddonCandidate {
  source: AddonSource;
  path: string;
  /** For a platform package: its name and version, which must equal this package's version. */
  pkg?: { name: string; version: string; expected: string };
}

function ownPackage(root: string): { name: string; version: string } {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
}

/** The local build's path: $ALS_NATIVE_PATH, else <package>/native/als.<platform>.node. */
export function localAddonPath(root: string = packageRoot()): string {
  return process.env.ALS_NATIVE_PATH ?? join(root, 'native', `als.${platformName() ?? `${process.platform}-${process.arch}`}.node`);
}

/** The candidates that exist on disk, in loading order, and a sentence for each place that has none. */
export function addonCandidates(root: string = packageRoot()): { candidates: AddonCandidate[]; absent: string[] } {
  const candidates: AddonCandidate[] = [];
  const absent: string[] = [];
  if (process.env.ALS_NATIVE_PATH !== undefined) {
    const path = process.env.ALS_NATIVE_PATH;
    if (existsSync(path)) candidates.push({ source: 'ALS_NATIVE_PATH', path });
    else absent.push(`ALS_NATIVE_PATH=${path} does not exist`);
    return { candidates, absent };
  }
  const platform = platformName();
  if (platform === null) {
    absent.push(`no prebuilt native addon for ${process.platform}-${process.arch}`);
    return { candidates, absent };
  }
  const local = localAddonPath(root);
  if (existsSync(local)) candidates.push({ source: 'local build', path: local });
  else absent.push(`no local build (${local})`);
  const own = ownPackage(root);
  const name = `${own.name}-${platform}`;
  try {
    const manifest = createRequire(join(root, 'package.json')).resolve(`${name}/package.json`);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string; main?: string };
    candidates.push({
      source: 'platform package',
      path: join(dirname(manifest), pkg.main ?? `als.${platform}.node`),
      pkg: { name, version: pkg.version, expected: own.version },
    });
  } catch {
    absent.push(`no platform package ${name}`);
  }
  return { candidates, absent };
}
