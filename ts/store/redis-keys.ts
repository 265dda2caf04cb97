// Owns the Redis key layout and value encoding shared by the Redis store and loader.
//   {prefix}:active               the active version (string), flipped after a verified load
//   {prefix}:versions             sorted set of completely loaded versions, scored by load time
//   {prefix}:v:{version}:meta     hash {users, depth, loadedAt} (written only once verified)
//   {prefix}:v:{version}:u:{user} a user's list: n little-endian u32 item rows, then n f32 scores
//   {prefix}:v:{version}:shards   sharded loads: hash shard index → "users/N", set once that
//                                 shard's users are verified present; deleted at the switch
// A version's keys sit beside the other versions' keys; a reader bound to a version only reads
// that version's keys, so it never sees a mix.

import { endianness } from 'node:os';
import { StoreError, type UserList } from './types.js';

export const DEFAULT_PREFIX = 'recs';

export const redisKeys = (prefix: string) => ({
  active: `${prefix}:active`,
  versions: `${prefix}:versions`,
  meta: (version: string) => `${prefix}:v:${version}:meta`,
  user: (version: string, user: string) => `${prefix}:v:${version}:u:${user}`,
  userPattern: (version: string) => `${prefix}:v:${version}:u:*`,
  shards: (version: string) => `${prefix}:v:${version}:shards`,
});

/** The stored format is little-endian; on such machines typed arrays read it as it is. */
const LITTLE_ENDIAN = endianness() === 'LE';

export type RedisKeys = ReturnType<typeof redisKeys>;

/** Encodes n items and scores (n ≤ the arrays' length) into one buffer of 8n bytes. */
export function encodeList(items: Uint32Array, scores: Float32Array, start: number, n: number): Buffer {
  const buf = Buffer.allocUnsafe(8 * n);
  for (let j = 0; j < n; j++) {
    buf.writeUInt32LE(items[start + j]!, 4 * j);
    buf.writeFloatLE(scores[start + j]!, 4 * (n + j));
  }
  return buf;
}

export function decodeList(modelVersion: string, buf: Buffer): UserList {
  if (buf.length % 8 !== 0) throw new StoreError(`redis store: a list of ${buf.length} bytes is not n × 8`, 'corrupt');
  const n = buf.length / 8;
  // one aligned copy holds both arrays: a list cached in process is one ArrayBuffer, not three
  // (the garbage collector visits every ArrayBuffer, and a warm cache holds hundreds of thousands)
  const ab = new ArrayBuffer(buf.length);
  new Uint8Array(ab).set(buf);
  if (LITTLE_ENDIAN) return { modelVersion, items: new Uint32Array(ab, 0, n), scores: new Float32Array(ab, 4 * n, n) };
  const dv = new DataView(ab);
  const items = new Uint32Array(n);
  const scores = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    items[j] = dv.getUint32(4 * j, true);
    scores[j] = dv.getFloat32(4 * (n + j), true);
  }
  return { modelVersion, items, scores };
}
