// Owns writing a model artifact's files one piece at a time: each file hashed as it is written
// (pieces of at most 256 MiB per write and per hash update: one of more than 2 GiB throws), tensor
// files whose rows may also arrive out of order (positioned writes; such a file alone is read back
// once at the end for its checksum), and the finish — manifest, then the temporary directory renamed
// into place, so a reader never sees half an artifact. writeArtifact (whole arrays) and the
// streaming `recs import spark` (one part of users at a time) both write through it.

import { createHash, type Hash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ArtifactError } from './artifact-file.js';
import { ARTIFACT_FORMAT, HASH_CHUNK as PIECE, updateInChunks, type Manifest } from './manifest.js';
import type { ModelPart } from './algorithms/types.js';
import { encodeTensorHeader, TENSOR_HEADER, type DType } from './tensor-file.js';

const READ_BACK = 8 << 20;

/** One file being written: bytes appended in order, hashed as they go. */
export class FileSink {
  private readonly fd: number;
  private readonly hash = createHash('sha256');
  protected at = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w+');
  }

  append(bytes: ArrayBufferView): void {
    this.writeAt(bytes, this.at);
    updateInChunks(this.hash, bytes, PIECE);
    this.at += bytes.byteLength;
  }

  protected writeAt(bytes: ArrayBufferView, position: number): void {
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let off = 0; off < b.length; ) off += writeSync(this.fd, b, off, Math.min(b.length - off, PIECE), position + off);
  }

  /** Closes the file: its manifest entry. */
  close(): { bytes: number; sha256: string } {
    closeSync(this.fd);
    return { bytes: this.at, sha256: this.hash.digest('hex') };
  }

  protected readBack(each: (chunk: Buffer) => void): void {
    const buf = Buffer.allocUnsafe(READ_BACK);
    for (let at = 0; at < this.at; ) {
      const n = readSync(this.fd, buf, 0, Math.min(buf.length, this.at - at), at);
      if (n === 0) throw new ArtifactError(`${this.path}: ends at byte ${at} while reading it back, expected ${this.at}`);
      each(buf.subarray(0, n));
      at += n;
    }
  }

  protected get descriptor(): number {
    return this.fd;
  }
}

/**
 * A rows × cols tensor file: `put(row, values)` writes whole rows at their place. While rows come
 * in order the file and `values` hashes are computed on the way; after any row out of order the
 * file is read back once at close for both.
 */
export class TensorSink extends FileSink {
  private next = 0;
  private written = 0;
  private inOrder = true;
  private readonly data = createHash('sha256');
  private readonly rowBytes: number;
  constructor(
    path: string,
    dtype: DType,
    readonly rows: number,
    readonly cols: number,
  ) {
    super(path);
    this.rowBytes = cols * 4;
    this.append(encodeTensorHeader(dtype, rows, cols));
  }

  /** Rows [row, row + values.length / cols) of the tensor. */
  put(row: number, values: Float32Array | Uint32Array): void {
    const n = values.length / this.cols;
    if (!Number.isInteger(n) || row < 0 || row + n > this.rows) throw new ArtifactError(`${this.path}: rows ${row}…${row + n - 1} are outside its ${this.rows} × ${this.cols}`);
    this.written += n;
    if (this.inOrder && row === this.next) {
      this.append(values);
      updateInChunks(this.data, values, PIECE);
      this.next += n;
      return;
    }
    this.inOrder = false;
    this.writeAt(values, TENSOR_HEADER + row * this.rowBytes);
    this.at = Math.max(this.at, TENSOR_HEADER + (row + n) * this.rowBytes);
  }

  /** Closes the file (every row must have been written once): its manifest entry, and the hash of its values alone (still open). */
  finish(): { entry: { bytes: number; sha256: string }; values: Hash } {
    if (this.written !== this.rows) throw new ArtifactError(`${this.path}: ${this.written} of ${this.rows} rows written`);
    if (this.inOrder) return { entry: this.close(), values: this.data };
    const file = createHash('sha256');
    const values = createHash('sha256');
    let seen = 0;
    this.readBack((chunk) => {
      file.update(chunk);
      const skip = Math.max(0, TENSOR_HEADER - seen);
      if (skip < chunk.length) values.update(chunk.subarray(skip));
      seen += chunk.length;
    });
    closeSync(this.descriptor);
    return { entry: { bytes: this.at, sha256: file.digest('hex') }, values };
  }
}

/** An artifact being written into a temporary directory beside `dir` (which must not exist). */
export class ArtifactWriter {
  readonly files: Manifest['files'] = {};
  private readonly tmp: string;
  constructor(readonly dir: string) {
    if (existsSync(dir)) throw new ArtifactError(`${dir} already exists; versions are immutable`);
    this.tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${Date.now()}`);
    mkdirSync(this.tmp, { recursive: true });
  }

  /** A file written in order from its pieces. */
  file(name: string, pieces: Iterable<ArrayBufferView>): void {
    const f = new FileSink(join(this.tmp, name));
    try {
      for (const p of pieces) f.append(p);
    } finally {
      this.files[name] = f.close();
    }
  }

  /** A tensor file whose rows the caller puts; `done(sink)` records it (returning its values' hash). */
  tensor(name: string, dtype: DType, rows: number, cols: number): TensorSink {
    return new TensorSink(join(this.tmp, name), dtype, rows, cols);
  }

  done(name: string, sink: TensorSink): Hash {
    const { entry, values } = sink.finish();
    this.files[name] = entry;
    return values;
  }

  /** Writes the manifest and moves the artifact into place. */
  finish(manifest: Omit<Manifest, 'files' | 'format' | 'parts'>, parts: ModelPart[]): Manifest {
    const m: Manifest = { ...manifest, format: ARTIFACT_FORMAT, parts, files: this.files };
    writeFileSync(join(this.tmp, 'manifest.json'), JSON.stringify(m, null, 2) + '\n');
    renameSync(this.tmp, this.dir);
    return m;
  }

  /** Removes the temporary directory (after a failure). */
  abort(): void {
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
