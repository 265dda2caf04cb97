// Owns feeding a ByteSource through a RecordScanner: one reusable work buffer that keeps the
// partial record at a chunk boundary and grows only for records longer than itself.

import type { ByteSource } from './read-file.js';
import type { RecordHandler, Scanner } from './scanner.js';

const SNIFF_BYTES = 64 * 1024;

/**
 * Scans every record of `source`. `makeScanner` sees the first bytes (up to 64 KiB, or the whole
 * input if shorter) to pick a format; `onChunk` gets the number of input bytes consumed so far.
 */
export async function pumpRecords(source: ByteSource, makeScanner: (head: Uint8Array) => Scanner, onRecord: RecordHandler, onChunk?: (bytes: number) => void): Promise<void> {
  let work = Buffer.allocUnsafe(2 << 20);
  let len = 0;
  let total = 0;
  let scanner: Scanner | null = null;
  for await (const chunk of source.chunks()) {
    let off = 0;
    while (off < chunk.length) {
      if (len === work.length) {
        const bigger = Buffer.allocUnsafe(work.length * 2);
        work.copy(bigger, 0, 0, len);
        work = bigger;
      }
      const n = Math.min(chunk.length - off, work.length - len);
      work.set(chunk.subarray(off, off + n), len);
      len += n;
      off += n;
      total += n;
      if (scanner === null) {
        if (len < SNIFF_BYTES) continue;
        scanner = makeScanner(work.subarray(0, len));
      }
      const used = scanner.scan(work, 0, len, false, onRecord);
      if (used > 0) {
        work.copyWithin(0, used, len);
        len -= used;
      }
    }
    onChunk?.(total - len);
  }
  if (scanner === null) scanner = makeScanner(work.subarray(0, len));
  scanner.scan(work, 0, len, true, onRecord);
  onChunk?.(total);
}
