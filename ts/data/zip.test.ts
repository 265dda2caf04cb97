import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRatings } from './delimited.js';
import { findEntry, listZip, readZipEntry, zipEntrySource } from './zip.js';

let dir = '';
let big = Buffer.alloc(0);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zip-'));
  const lines: string[] = [];
  for (let k = 0; k < 150_000; k++) lines.push(`${k % 1000},${(k * 31) % 5000},${(k % 10) / 2},${1e9 + k}`);
  big = Buffer.from(`${lines.join('\n')}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('zip reading', () => {
  it('lists entries and reads stored and deflated ones', async () => {
    const path = join(dir, 'a.zip');
    await writeFile(path, zipSync({ 'top/ratings.csv': big, 'top/sub/ratings.csv': strToU8('x'), 'top/note.txt': [strToU8('plain'), { level: 0 }] }, { level: 1 }));
    const entries = await listZip(path);
    expect(entries.map((e) => e.name).sort()).toEqual(['top/note.txt', 'top/ratings.csv', 'top/sub/ratings.csv']);
    const ratings = findEntry(entries, 'ratings.csv');
    expect(ratings?.name).toBe('top/ratings.csv'); // shallowest wins
    expect(ratings?.method).toBe(8);
    expect((await readZipEntry(path, ratings!)).equals(big)).toBe(true);
    const note = findEntry(entries, 'note.txt')!;
    expect(note.method).toBe(0);
    expect((await readZipEntry(path, note)).toString()).toBe('plain');
  });

  it('streams a large entry straight into the parser', async () => {
    const path = join(dir, 'b.zip');
    await writeFile(path, zipSync({ 'r.csv': big }, { level: 1 }));
    const entry = findEntry(await listZip(path), 'r.csv')!;
    const r = await parseRatings(zipEntrySource(path, entry));
    expect(r.rows).toBe(150_000);
    expect(r.source).toBe(`${path}:r.csv`);
    expect(r.dataset.userIds.length).toBe(1000);
  });

  it('detects a corrupted entry by its CRC', async () => {
    const path = join(dir, 'c.zip');
    const zip = Buffer.from(zipSync({ 'r.txt': [strToU8('hello world, hello world'), { level: 0 }] }));
    const at = zip.indexOf('hello');
    zip[at] = 'j'.charCodeAt(0);
    await writeFile(path, zip);
    const entry = findEntry(await listZip(path), 'r.txt')!;
    await expect(readZipEntry(path, entry)).rejects.toThrow(/c\.zip:r\.txt: corrupt entry/);
  });

  it('rejects files that are not zips', async () => {
    const path = join(dir, 'not.zip');
    await writeFile(path, 'just text, no zip here');
    await expect(listZip(path)).rejects.toThrow(/not a zip file/);
    expect((await readFile(path)).length).toBeGreaterThan(0);
  });
});
