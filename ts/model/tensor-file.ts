// Owns the binary layout of one typed-array file in a model artifact: a 16-byte header
// (magic "RRT1", dtype "f32\0" or "u32\0", rows u32 LE, cols u32 LE) and then rows × cols values,
// little-endian. A server maps it straight into a typed array without parsing.

const MAGIC = 'RRT1';
const HEADER = 16;
export const TENSOR_HEADER = HEADER;

export type Tensor = { rows: number; cols: number; data: Float32Array } | { rows: number; cols: number; data: Uint32Array };
export type DType = 'f32' | 'u32';

/** A tensor file as two pieces to write in turn: its header, and a view of `data` (not a copy). */
export function encodeTensor(data: Float32Array | Uint32Array, rows: number, cols: number): [Buffer, Buffer] {
  if (rows * cols !== data.length) {
    throw new Error(`encodeTensor: ${rows} × ${cols} does not match ${data.length} values`);
  }
  return [encodeTensorHeader(data instanceof Float32Array ? 'f32' : 'u32', rows, cols), Buffer.from(data.buffer, data.byteOffset, data.byteLength)];
}

/** The 16-byte header of a rows × cols tensor file (for writers that stream the values after it). */
export function encodeTensorHeader(dtype: DType, rows: number, cols: number): Buffer {
  const out = Buffer.alloc(HEADER);
  out.write(MAGIC, 0, 'latin1');
  out.write(`${dtype}\0`, 4, 'latin1');
  out.writeUInt32LE(rows, 8);
  out.writeUInt32LE(cols, 12);
  return out;
}

/** The shape in a tensor file's header (`head`: its first 16 bytes), checked against the file's size. */
export function tensorHeader(head: Buffer, name: string, expect: DType, fileBytes: number): { rows: number; cols: number } {
  if (head.length < HEADER || head.toString('latin1', 0, 4) !== MAGIC) throw new Error(`${name}: not a model tensor file (bad header)`);
  const dtype = head.toString('latin1', 4, 7);
  if (dtype !== expect) throw new Error(`${name}: holds ${dtype} values, expected ${expect}`);
  const rows = head.readUInt32LE(8);
  const cols = head.readUInt32LE(12);
  if (fileBytes !== HEADER + rows * cols * 4) throw new Error(`${name}: truncated or padded: ${fileBytes - HEADER} data bytes for ${rows} × ${cols} values`);
  return { rows, cols };
}

/** Decodes a tensor file; `name` is used in error messages. Views the buffer when aligned. */
export function decodeTensor(buf: Buffer, name: string, expect: DType): { rows: number; cols: number; data: Float32Array | Uint32Array } {
  const { rows, cols } = tensorHeader(buf, name, expect, buf.length);
  const bytes = rows * cols * 4;
  let start = buf.byteOffset + HEADER;
  let backing = buf.buffer;
  if (start % 4 !== 0) {
    const copy = new Uint8Array(bytes);
    copy.set(buf.subarray(HEADER));
    backing = copy.buffer;
    start = 0;
  }
  const data = expect === 'f32' ? new Float32Array(backing, start, rows * cols) : new Uint32Array(backing, start, rows * cols);
  return { rows, cols, data };
}

export function decodeF32(buf: Buffer, name: string): { rows: number; cols: number; data: Float32Array } {
  return decodeTensor(buf, name, 'f32') as { rows: number; cols: number; data: Float32Array };
}

export function decodeU32(buf: Buffer, name: string): { rows: number; cols: number; data: Uint32Array } {
  return decodeTensor(buf, name, 'u32') as { rows: number; cols: number; data: Uint32Array };
}
