// Decodes the "try it" page's model payload (./demo/model.bin), encoded by
// ts/model/demo-payload.ts (see the layout there). Plain ES module: runs in browsers and Node.

const MAGIC = 'RRDM';
const FORMAT = 'realtime-recs/demo@1';

/** float16 bits → number. */
function fromHalf(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function strings(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true);
  const base = 4 * (n + 2);
  const text = new TextDecoder();
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const a = view.getUint32(4 * (i + 1), true);
    const b = view.getUint32(4 * (i + 2), true);
    out[i] = text.decode(bytes.subarray(base + a, base + b));
  }
  return out;
}

/**
 * @param {Uint8Array} bytes the whole payload
 * @returns {{ header: object, rank: number, nItems: number, ids: string[], titles: string[],
 *   genres: string[][], popularity: Uint32Array, itemFactors: Float32Array,
 *   abiParams: Float64Array, likeValue: number }}
 */
export function decodeDemoPayload(bytes) {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== MAGIC) throw new Error('not a demo model payload (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  if (header.format !== FORMAT) throw new Error(`unsupported demo payload format ${header.format}`);
  const section = (name) => {
    const [offset, length] = header.sections[name];
    if (offset + length > bytes.length) throw new Error(`demo payload truncated (section ${name})`);
    return new Uint8Array(bytes.subarray(offset, offset + length)); // a copy: aligned, own buffer (also for a Node Buffer)
  };
  const { rank, nItems } = header;
  const masks = new Uint32Array(section('genres').buffer);
  const raw = section('factors');
  const itemFactors = header.factors === 'f16' ? Float32Array.from(new Uint16Array(raw.buffer), fromHalf) : new Float32Array(raw.buffer);
  if (itemFactors.length !== nItems * rank) throw new Error('demo payload: factors do not match items × rank');
  return {
    header,
    rank,
    nItems,
    ids: strings(section('ids')),
    titles: strings(section('titles')),
    genres: Array.from(masks, (m) => header.genres.filter((_, g) => (m >>> g) & 1)),
    popularity: new Uint32Array(section('popularity').buffer),
    itemFactors,
    abiParams: Float64Array.from(header.abiParams),
    likeValue: header.likeValue,
  };
}
