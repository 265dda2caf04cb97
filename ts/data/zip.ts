// Owns reading zip archives from disk: the central directory, and one entry at a time as a
// streamed ByteSource (fflate Inflate, CRC-32 checked), so a 700 MB ratings file never sits
// in memory whole.

import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { Inflate } from 'fflate';
import type { ByteSource } from './read-file.js';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const READ_SIZE = 1 << 20;

export async function listZip(path: string): Promise<ZipEntry[]> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const tailLen = Math.min(size, 22 + 65535 + 20);
    const tail = await readAt(fh, size - tailLen, tailLen);
    let e = -1;
    for (let p = tailLen - 22; p >= 0; p--)
      if (tail.readUInt32LE(p) === EOCD) {
        e = p;
        break;
      }
    if (e < 0) throw new Error(`${path}: not a zip file (no end-of-central-directory record)`);
    let count = tail.readUInt16LE(e + 10);
    let cdSize = tail.readUInt32LE(e + 12);
    let cdOffset = tail.readUInt32LE(e + 16);
    if ((count === 0xffff || cdOffset === 0xffffffff) && e >= 20 && tail.readUInt32LE(e - 20) === EOCD64_LOCATOR) {
      const rec = await readAt(fh, Number(tail.readBigUInt64LE(e - 12)), 56);
      if (rec.readUInt32LE(0) !== EOCD64) throw new Error(`${path}: bad zip64 end record`);
      count = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
    const cd = await readAt(fh, cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (cd.readUInt32LE(p) !== CENTRAL) throw new Error(`${path}: corrupt central directory (entry ${k})`);
      const flags = cd.readUInt16LE(p + 8);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const name = cd.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
      const entry: ZipEntry = {
        name,
        method: cd.readUInt16LE(p + 10),
        flags,
        crc32: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localHeaderOffset: cd.readUInt32LE(p + 42),
      };
      applyZip64(entry, cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen));
      entries.push(entry);
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** The zip64 extra field carries the 64-bit values of fields saturated at 0xffffffff. */
function applyZip64(entry: ZipEntry, extra: Buffer): void {
  for (let q = 0; q + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(q);
    const len = extra.readUInt16LE(q + 2);
    if (id === 0x0001) {
      let r = q + 4;
      const next = (): number => {
        const v = Number(extra.readBigUInt64LE(r));
        r += 8;
        return v;
      };
      if (entry.size === 0xffffffff) entry.size = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
    }
    q += 4 + len;
  }
}

/** The entry whose last path component is `base`, preferring the shallowest path. */
export function findEntry(entries: readonly ZipEntry[], base: string): ZipEntry | undefined {
  const hits = entries.filter((e) => e.name === base || e.name.endsWith(`/${base}`));
  return hits.sort((a, b) => a.name.split('/').length - b.name.split('/').length)[0];
}

/** One entry's decompressed bytes as a stream; CRC-32 and size are checked at the end. */
export function zipEntrySource(zipPath: string, entry: ZipEntry): ByteSource {
  return { name: `${zipPath}:${entry.name}`, size: entry.size, chunks: () => entryChunks(zipPath, entry) };
}

export async function readZipEntry(zipPath: string, entry: ZipEntry): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of entryChunks(zipPath, entry)) parts.push(c);
  return Buffer.concat(parts);
}

async function* entryChunks(zipPath: string, entry: ZipEntry): AsyncGenerator<Uint8Array> {
  const where = `${zipPath}:${entry.name}`;
  if (entry.flags & 1) throw new Error(`${where}: encrypted zip entries are not supported`);
  if (entry.method !== 0 && entry.method !== 8) throw new Error(`${where}: unsupported compression method ${entry.method}`);
  const fh = await open(zipPath, 'r');
  try {
    const local = await readAt(fh, entry.localHeaderOffset, 30);
    if (local.readUInt32LE(0) !== LOCAL) throw new Error(`${where}: bad local header`);
    let pos = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    let left = entry.compressedSize;
    let out: Uint8Array[] = [];
    const inflate = entry.method === 8 ? new Inflate((data) => out.push(data)) : null;
    let crc = 0;
    let size = 0;
    const buf = Buffer.allocUnsafe(Math.min(READ_SIZE, Math.max(left, 1)));
    while (left > 0 || out.length > 0) {
      if (left > 0) {
        const n = Math.min(left, buf.length);
        const { bytesRead } = await fh.read(buf, 0, n, pos);
        if (bytesRead !== n) throw new Error(`${where}: zip file is truncated`);
        pos += n;
        left -= n;
        if (inflate) inflate.push(buf.subarray(0, n), left === 0);
        else out.push(Buffer.from(buf.subarray(0, n)));
      }
      const ready = out;
      out = [];
      for (const chunk of ready) {
        crc = crc32(chunk, crc);
        size += chunk.length;
        yield chunk;
      }
    }
    if (size !== entry.size || crc >>> 0 !== entry.crc32 >>> 0) {
      throw new Error(`${where}: corrupt entry (size ${size}/${entry.size}, crc ${crc.toString(16)}/${entry.crc32.toString(16)})`);
    }
  } finally {
    await fh.close();
  }
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  if (bytesRead !== len) throw new Error('zip file is truncated');
  return buf;
}
