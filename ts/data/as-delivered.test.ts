// Files as public data sets deliver them: the separator and header are sniffed, whatever the
// extension says; empty optional fields are missing, not malformed; hints name CLI flags.

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeColumns, parseColumnSpec } from './columns.js';
import { parseRatings, parseRatingsFile } from './delimited.js';
import { DataFormatError } from './errors.js';
import { detectLayout, parseDelimiterName } from './format.js';
import { bytesSource } from './read-file.js';
import { chronoSplit } from './split.js';

const parse = (name: string, text: string, opts = {}) => parseRatings(bytesSource(name, text), opts);
const LASTFM = new URL('../../../shared/datasets/lastfm-hetrec2011-2k/user_artists.dat', import.meta.url).pathname;

describe('files as delivered', () => {
  it('reads a tab-separated .dat with a header and CRLF line ends (Last.fm layout)', async () => {
    const r = await parse('user_artists.dat', 'userID\tartistID\tweight\r\n2\t51\t13883\r\n2\t52\t11690\r\n3\t51\t7\r\n');
    expect([r.format, r.delimiter]).toEqual(['tsv', '\t']);
    expect(r.header).toEqual(['userID', 'artistID', 'weight']);
    expect(describeColumns(r.columns!, r.header)).toBe('user=userID (1), item=artistID (2), rating=weight (3)');
    expect(r.dataset.userIds).toEqual(['2', '3']);
    expect(r.dataset.itemIds).toEqual(['51', '52']);
    expect([...r.dataset.ratings]).toEqual([13883, 11690, 7]);
  });

  it('reads "::" without a header, whatever the extension', async () => {
    const r = await parse('ratings.txt', '1::1193::5::978300760\n1::661::3::978302109\n');
    expect([r.format, r.delimiter, r.header]).toEqual(['dat', '::', null]);
    expect([...r.dataset.timestamps]).toEqual([978300760, 978302109]);
  });

  it('reads quoted CSV whose ids contain commas', async () => {
    const r = await parse('export', 'customer,product,stars\n"Smith, J.","Socks, wool",5\n"Doe, A.","Socks, wool",3\n');
    expect([r.format, r.delimiter]).toEqual(['csv', ',']);
    expect(r.dataset.userIds).toEqual(['Smith, J.', 'Doe, A.']);
    expect(r.dataset.itemIds).toEqual(['Socks, wool']);
    expect([...r.dataset.ratings]).toEqual([5, 3]);
  });

  it('keeps play counts in the millions exact', async () => {
    const r = await parse('plays.tsv', 'user\tartist\tplays\nu1\ta\t352698\nu2\ta\t2274039\nu3\tb\t1\n');
    expect([...r.dataset.ratings]).toEqual([352698, 2274039, 1]);
  });

  it('header with any names: positions for the roles no name matches', async () => {
    const r = await parse('x.csv', 'who,what,how_much\nu,i,2\n');
    expect(describeColumns(r.columns!, r.header)).toBe('user=who (1), item=what (2), rating=how_much (3)');
  });

  it('an empty rating or timestamp is missing, counted, and kept', async () => {
    const r = await parse('r.csv', 'userId,movieId,rating,timestamp\n1,10,4,100\n1,11,,\n2,10,3,\n');
    expect(r.rows).toBe(3);
    expect(r.badLines.count).toBe(0);
    expect(r.missing).toEqual({ rating: 1, timestamp: 2 });
    expect(Number.isNaN(r.dataset.ratings[1])).toBe(true);
    expect(Number.isNaN(r.dataset.timestamps[2])).toBe(true);
    expect(() => chronoSplit(r.dataset)).toThrow(/needs a timestamp on every row; 2 of 3 rows have none \(use --split stratified or random\)/);
  });

  it('sniffs the separator over many lines and prefers the one every line agrees on', () => {
    const layout = (name: string, text: string) => detectLayout(name, Buffer.from(text));
    expect(layout('a.dat', 'u\ti\tr\n1\t2\t3\n')).toEqual({ format: 'tsv', delimiter: '\t' });
    expect(layout('a.csv', '1;2;3\n4;5;6\n')).toEqual({ format: 'csv', delimiter: ';' });
    expect(layout('train.txt', '1 2 3 4\n5 6\n7 8 9\n')).toEqual({ format: 'csv', delimiter: ' ' });
    expect(layout('a', '{"user":1}\n')).toEqual({ format: 'jsonl', delimiter: '' });
    expect(() => layout('a', 'justoneword\n')).toThrow(/pass --delimiter/);
  });

  it('--delimiter and --columns as typed on a command line', async () => {
    expect(parseDelimiterName('tab')).toBe('\t');
    expect(parseDelimiterName('::')).toBe('::');
    expect(() => parseDelimiterName('')).toThrow(/must not be empty/);
    expect(parseColumnSpec('user=userID,item=2,rating=none')).toEqual({ user: 'userID', item: 1, rating: null });
    expect(() => parseColumnSpec('user=0')).toThrow(/positions start at 1/);
    expect(() => parseColumnSpec('usr=1')).toThrow(/--columns takes role=column pairs/);
    const r = await parse('x.txt', 'a|b|c\ni1|u1|3\n', { delimiter: '|', columns: parseColumnSpec('user=b,item=a,rating=3') });
    expect([r.dataset.userIds, r.dataset.itemIds, [...r.dataset.ratings]]).toEqual([['u1'], ['i1'], [3]]);
  });

  it('hints name command-line flags, never code options', async () => {
    const e = await parse('r.csv', 'u,i,r\n1,2,x\n').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DataFormatError);
    expect((e as Error).message).toContain('--skip-bad-lines');
    expect((e as Error).message).not.toMatch(/skipBadLines|columns:/);
    await expect(parse('r.csv', 'u,i\n1,2\n', { columns: { rating: 'stars' } })).rejects.toThrow(/no rating column "stars"/);
    await expect(parse('r.csv', '1,2\n', { columns: { rating: 4 } })).rejects.toThrow(/rating column 5 is out of range \(lines have 2 fields\); check --columns and --delimiter/);
  });

  it.skipIf(!existsSync(LASTFM))(`reads Last.fm HetRec 2k user_artists.dat as delivered${existsSync(LASTFM) ? '' : ' (SKIPPED: ../shared/datasets/lastfm-hetrec2011-2k absent)'}`, async () => {
    const r = await parseRatingsFile(LASTFM);
    expect(r.format).toBe('tsv');
    expect(r.rows).toBe(92834);
    expect(r.dataset.userIds.length).toBe(1892);
    expect(r.dataset.itemIds.length).toBe(17632);
    expect(r.dataset.ratings.reduce((a, b) => Math.max(a, b), 0)).toBe(352698);
  });
});
