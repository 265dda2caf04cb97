// Owns downloading files into a local cache with checksum verification.
//
// Checksums: when a published md5 is known (ml-100k.zip: 0e33842e24a9c977be4e0107933c0723) it is
// checked on download and on every later use of the cached file. For files without a published
// checksum, the sha256 of the first download is recorded in a sidecar `<file>.sha256`
// (sha256sum format) and the cached file is verified against it on every later use (trust on
// first use: this detects corruption or a changed file, not a bad first download). A file put
// into the cache by hand gets its sidecar recorded the first time it is used.

import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { dirname } from 'node:path';

export interface DownloadProgress {
  bytes: number;
  /** From Content-Length; undefined if the server did not say. */
  total: number | undefined;
}

export interface CachedFileOptions {
  url: string;
  /** Where the file lives in the cache. */
  path: string;
  /** Published md5 (hex), if there is one. */
  md5?: string;
  /** Never touch the network; fail if the file is not cached. */
  offline?: boolean;
  onProgress?: (p: DownloadProgress) => void;
  /** What the file is, for messages (default: its path). */
  label?: string;
  /** Appended to "not cached and not downloadable" errors: how to use a local copy instead. */
  localHint?: string;
}

export interface CachedFile {
  path: string;
  /** True if this call downloaded it, false if it came from the cache. */
  downloaded: boolean;
  sha256: string;
}

export class ChecksumError extends Error {
  override name = 'ChecksumError';
}

export class DownloadError extends Error {
  override name = 'DownloadError';
}

/** The verified cached file, downloading it first if it is not in the cache. */
export async function ensureCachedFile(opts: CachedFileOptions): Promise<CachedFile> {
  const { path } = opts;
  const sidecar = `${path}.sha256`;
  const recorded = await readSidecar(sidecar);
  if (await exists(path)) {
    const sums = await hashFile(path, opts.md5 !== undefined);
    verify(opts, sums, recorded, `cached file ${path}`, `Delete ${path} to download it again.`);
    if (!recorded) await writeSidecar(sidecar, sums.sha256, path);
    return { path, downloaded: false, sha256: sums.sha256 };
  }
  if (opts.offline) throw notAvailable(opts, 'offline: no network access attempted');
  await mkdir(dirname(path), { recursive: true });
  const part = `${path}.part-${process.pid}`;
  try {
    const sums = await download(opts, part);
    verify(opts, sums, recorded, `download of ${opts.url}`, 'The partial download was deleted.');
    await rename(part, path);
    if (!recorded) await writeSidecar(sidecar, sums.sha256, path);
    return { path, downloaded: true, sha256: sums.sha256 };
  } finally {
    await rm(part, { force: true });
  }
}

interface Sums {
  md5: string;
  sha256: string;
  bytes: number;
}

function verify(opts: CachedFileOptions, sums: Sums, recorded: string | null, what: string, fix: string): void {
  if (opts.md5 && sums.md5 !== opts.md5.toLowerCase()) {
    throw new ChecksumError(`Checksum mismatch for ${what}: md5 is ${sums.md5}, expected ${opts.md5} (published for ${opts.url}). ${fix}`);
  }
  if (recorded && sums.sha256 !== recorded) {
    throw new ChecksumError(
      `Checksum mismatch for ${what}: sha256 is ${sums.sha256}, but ${recorded} was recorded in ${opts.path}.sha256 ` +
        `when it was first downloaded from ${opts.url}. ${fix} (Delete the .sha256 file too if the upstream file really changed.)`,
    );
  }
}

async function download(opts: CachedFileOptions, dest: string): Promise<Sums> {
  let res: Response;
  try {
    res = await fetch(opts.url, { redirect: 'follow' });
  } catch (e) {
    throw notAvailable(opts, describe(e));
  }
  if (!res.ok || !res.body) throw notAvailable(opts, `HTTP ${res.status} ${res.statusText}`);
  const len = Number(res.headers.get('content-length'));
  const total = Number.isFinite(len) && len > 0 ? len : undefined;
  const md5 = createHash('md5');
  const sha = createHash('sha256');
  let bytes = 0;
  const fh = await open(dest, 'w');
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      md5.update(chunk);
      sha.update(chunk);
      await fh.write(chunk);
      bytes += chunk.length;
      opts.onProgress?.({ bytes, total });
    }
  } catch (e) {
    throw notAvailable(opts, `connection lost after ${bytes} bytes: ${describe(e)}`);
  } finally {
    await fh.close();
  }
  if (total !== undefined && bytes !== total) throw notAvailable(opts, `got ${bytes} of ${total} bytes`);
  return { md5: md5.digest('hex'), sha256: sha.digest('hex'), bytes };
}

function notAvailable(opts: CachedFileOptions, cause: string): DownloadError {
  return new DownloadError(
    [
      `${opts.label ?? opts.path} is not cached and could not be downloaded (${cause}).`,
      `  URL:   ${opts.url}`,
      `  cache: ${opts.path}`,
      `To use a local copy instead, put the file from that URL at that cache path (or point RECS_CACHE_DIR elsewhere)` + (opts.localHint ? `, or ${opts.localHint}` : '') + '.',
    ].join('\n'),
  );
}

function describe(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message ?? String(e)}: ${cause}` : (err.message ?? String(e));
}

/** sha256 (and md5 unless withMd5 is false: then md5 is '') of a file, streamed. */
export async function hashFile(path: string, withMd5 = true): Promise<Sums> {
  const md5: Hash | null = withMd5 ? createHash('md5') : null;
  const sha: Hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    md5?.update(chunk);
    sha.update(chunk);
    bytes += chunk.length;
  }
  return { md5: md5 ? md5.digest('hex') : '', sha256: sha.digest('hex'), bytes };
}

async function readSidecar(path: string): Promise<string | null> {
  try {
    const first = (await readFile(path, 'utf8')).trim().split(/\s+/)[0] ?? '';
    return /^[0-9a-f]{64}$/i.test(first) ? first.toLowerCase() : null;
  } catch {
    return null;
  }
}

async function writeSidecar(sidecar: string, sha256: string, file: string): Promise<void> {
  const name = file.split(/[\\/]/).pop() ?? file;
  await writeFile(sidecar, `${sha256}  ${name}\n`);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
