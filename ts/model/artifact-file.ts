// Owns one open file of a model artifact: its size checked against the manifest's entry, positioned
// reads, the file streamed through its SHA-256 in fixed-size pieces, and the whole file read into
// one buffer of any size (pieces of at most `chunk` bytes, each hashed as it lands: one read or one
// hash update of more than 2 GiB throws, and a 10M-user × rank 64 factor file is 2.56 GB). The
// whole-artifact reader (artifact.ts) and the slice reader (artifact-slice.ts) both read through it.

import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes per read (and per hash update) unless a caller asks otherwise. */
export const ARTIFACT_READ_CHUNK = 8 << 20;

export class ArtifactError extends Error {
  override name = 'ArtifactError';
}

export class ArtifactFile {
  readonly path: string;
  readonly bytes: number;
  private readonly fd: number;
  constructor(
    dir: string,
    readonly name: string,
    private readonly entry: { bytes: number; sha256: string } | undefined,
    private readonly chunk = ARTIFACT_READ_CHUNK,
  ) {
    this.path = join(dir, name);
    if (!entry) throw new ArtifactError(`${dir}: the manifest lists no ${name}`);
    try {
      this.fd = openSync(this.path, 'r');
    } catch (e) {
      throw new ArtifactError(`${this.path}: ${(e as Error).message}`);
    }
    this.bytes = fstatSync(this.fd).size;
    if (this.bytes !== entry.bytes) {
      closeSync(this.fd);
      throw new ArtifactError(`${this.path}: ${this.bytes} bytes, the manifest says ${entry.bytes} (truncated?)`);
    }
  }

  /** Bytes [start, end) of the file, into `into` at `at` (default: a new buffer), `chunk` bytes per read; `each` sees every piece read. */
  read(start: number, end: number, into: Buffer = Buffer.allocUnsafe(end - start), at = 0, each?: (piece: Buffer) => void): Buffer {
    for (let got = 0; got < end - start; ) {
      const want = Math.min(this.chunk, end - start - got);
      const n = readSync(this.fd, into, at + got, want, start + got);
      if (n === 0) throw new ArtifactError(`${this.path}: ends at byte ${start + got}, expected ${end}`);
      each?.(into.subarray(at + got, at + got + n));
      got += n;
    }
    return into;
  }

  /** Calls `each` with every chunk of the file in order (and its offset); hashes it when `verify`. */
  stream(verify: boolean, each: (chunk: Buffer, at: number) => boolean | void): void {
    const hash: Hash | null = verify ? createHash('sha256') : null;
    const buf = Buffer.allocUnsafe(Math.min(this.chunk, Math.max(1, this.bytes)));
    let more = true;
    for (let at = 0; at < this.bytes; ) {
      const n = readSync(this.fd, buf, 0, Math.min(buf.length, this.bytes - at), at);
      if (n === 0) throw new ArtifactError(`${this.path}: ends at byte ${at}, expected ${this.bytes}`);
      const chunk = buf.subarray(0, n);
      hash?.update(chunk);
      if (more) more = each(chunk, at) !== false;
      if (!more && !hash) break;
      at += n;
    }
    if (hash) this.check(hash);
  }

  /**
   * The whole file in one buffer (read piece by piece, so any size), its checksum computed as it is
   * read and checked when `verify`. `shared`: the buffer's memory is a SharedArrayBuffer (worker
   * threads read it without a copy). The buffer starts at offset 0 of its memory, so a tensor's
   * values (after the 16-byte header) are 4-byte aligned and viewed in place.
   */
  readAll(verify: boolean, shared = false): Buffer {
    const into = shared ? Buffer.from(new SharedArrayBuffer(this.bytes)) : this.bytes >= 4096 ? Buffer.allocUnsafeSlow(this.bytes) : Buffer.allocUnsafe(this.bytes);
    const hash: Hash | null = verify ? createHash('sha256') : null;
    this.read(0, this.bytes, into, 0, hash ? (piece) => hash.update(piece) : undefined);
    if (hash) this.check(hash);
    return into;
  }

  private check(hash: Hash): void {
    if (hash.digest('hex') !== this.entry!.sha256) throw new ArtifactError(`${this.path}: checksum mismatch (corrupt file)`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Opens `name` of the artifact in `dir`, runs `use` on it, closes it. */
export function withArtifactFile<T>(dir: string, name: string, entry: { bytes: number; sha256: string } | undefined, use: (f: ArtifactFile) => T, chunk?: number): T {
  const f = new ArtifactFile(dir, name, entry, chunk);
  try {
    return use(f);
  } finally {
    f.close();
  }
}
