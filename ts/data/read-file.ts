// Owns byte sources: a named stream of chunks (a file read in fixed-size pieces, or anything else).

import { open, stat } from 'node:fs/promises';

/** Where parsers get bytes from. `name` appears in error messages; `size` drives progress. */
export interface ByteSource {
  readonly name: string;
  readonly size?: number;
  /**
   * The bytes, in order. A chunk may be reused by the source once the consumer asks for the
   * next one, so consumers must copy what they keep.
   */
  chunks(): AsyncIterable<Uint8Array>;
}

export const DEFAULT_CHUNK_SIZE = 1 << 20;

/** A file read with positional reads into one reused buffer (no per-line strings, bounded memory). */
export async function fileSource(path: string, chunkSize = DEFAULT_CHUNK_SIZE): Promise<ByteSource> {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a file`);
  return {
    name: path,
    size: info.size,
    chunks: () => readChunks(path, chunkSize),
  };
}

async function* readChunks(path: string, chunkSize: number): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkSize);
    let pos = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, chunkSize, pos);
      if (bytesRead === 0) return;
      pos += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** A source over bytes already in memory (tests, small zip entries). */
export function bytesSource(name: string, bytes: Uint8Array | string): ByteSource {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return {
    name,
    size: data.length,
    async *chunks() {
      yield data;
    },
  };
}
