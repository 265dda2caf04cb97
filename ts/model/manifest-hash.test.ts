// The manifest's fingerprints hash typed arrays in chunks (one hash update of more than 2 GiB
// throws: `import spark` of 10M users × rank 64 failed on it); the chunked digest must be the
// digest of the bytes one after another, whatever the chunk size and the views' offsets.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Of } from './manifest.js';

describe('sha256Of', () => {
  it('equals the one-shot digest of the concatenated bytes, for any chunk size and offset', () => {
    const backing = new Float32Array(1000).map((_, i) => Math.sin(i) * 1e3);
    const a = backing.subarray(3, 517); // a view with a byte offset
    const b = new Uint32Array([1, 2, 3, 0xffffffff]);
    const bytes = Buffer.concat([Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer)]);
    const expected = createHash('sha256').update(bytes).digest('hex');
    for (const chunk of [1, 7, 64, 1000, 1 << 20]) expect(sha256Of([a, b], chunk)).toBe(expected);
    expect(sha256Of([a, b])).toBe(expected);
    expect(sha256Of([new Float32Array(0)])).toBe(createHash('sha256').digest('hex'));
  });
});
