import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRatings, parseRatingsFile, type ParseOptions } from './delimited.js';
import { DataFormatError } from './errors.js';
import { IdMap } from './id-map.js';
import { bytesSource, type ByteSource } from './read-file.js';

/** A source that yields `text` in `step`-byte chunks. */
function chunked(name: string, text: string | Buffer, step: number): ByteSource {
  const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return {
    name,
    size: data.length,
    async *chunks() {
      for (let off = 0; off < data.length; off += step) yield data.subarray(off, off + step);
    },
  };
}

const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const parse = (name: string, text: string, opts: ParseOptions = {}) => parseRatings(bytesSource(name, text), opts);

async function failure(name: string, text: string, opts: ParseOptions = {}): Promise<DataFormatError> {
  try {
    await parse(name, text, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(DataFormatError);
    return e as DataFormatError;
  }
  throw new Error('expected a DataFormatError');
}

describe('parseRatings formats', () => {
  it('reads a CSV with a header into dense columns', async () => {
    const r = await parse('r.csv', 'userId,movieId,rating,timestamp\n1,10,4.5,100\n2,10,3,200\n1,20,0.5,300\n');
    expect(r.format).toBe('csv');
    expect(r.header).toEqual(['userId', 'movieId', 'rating', 'timestamp']);
    const d = r.dataset;
    expect(d.length).toBe(3);
    expect([...d.users]).toEqual([0, 1, 0]);
    expect([...d.items]).toEqual([0, 0, 1]);
    expect([...d.ratings]).toEqual([4.5, 3, 0.5]);
    expect([...d.timestamps]).toEqual([100, 200, 300]);
    expect(d.userIds).toEqual(['1', '2']);
    expect(d.itemIds).toEqual(['10', '20']);
    expect(d.userMap.get('2')).toBe(1);
  });

  it('reads headerless TSV (u.data style) and :: (ratings.dat style)', async () => {
    const tsv = await parse('u.data', '196\t242\t3\t881250949\n186\t302\t3\t891717742\n');
    expect(tsv.format).toBe('tsv');
    expect(tsv.header).toBeNull();
    expect([...tsv.dataset.timestamps]).toEqual([881250949, 891717742]);
    const dat = await parse('ratings.dat', '1::1193::5::978300760\n1::661::3::978302109\n');
    expect(dat.format).toBe('dat');
    expect(dat.dataset.itemIds).toEqual(['1193', '661']);
  });

  it('reads JSONL objects and arrays', async () => {
    const obj = await parse('r.jsonl', '{"user":"a","item":7,"rating":4,"ts":5}\n\n{"user":"b","item":"7","rating":"2.5","ts":6}\n');
    expect(obj.dataset.userIds).toEqual(['a', 'b']);
    expect([...obj.dataset.items]).toEqual([0, 0]); // 7 and "7" are the same id
    expect([...obj.dataset.ratings]).toEqual([4, 2.5]);
    expect([...obj.dataset.timestamps]).toEqual([5, 6]);
    expect(obj.blankLines).toBe(1);
    const arr = await parse('r.ndjson', '[1, 2]\n[3, 2]\n');
    expect([...arr.dataset.ratings]).toEqual([1, 1]);
    expect(Number.isNaN(arr.dataset.timestamps[0])).toBe(true);
  });

  it('maps columns by name or index, in any order', async () => {
    const byName = await parse('x.csv', 'ts,score,item,who\n9,2,i1,u1\n', {
      columns: { user: 'who', item: 'item', rating: 'score', timestamp: 'ts' },
    });
    expect(byName.dataset.userIds).toEqual(['u1']);
    expect([...byName.dataset.ratings]).toEqual([2]);
    expect([...byName.dataset.timestamps]).toEqual([9]);
    const byIndex = await parse('x.txt', 'i1;u1;3\n', { delimiter: ';', columns: { user: 1, item: 0, rating: 2, timestamp: null } });
    expect(byIndex.dataset.userIds).toEqual(['u1']);
    expect(byIndex.dataset.itemIds).toEqual(['i1']);
    expect(Number.isNaN(byIndex.dataset.timestamps[0])).toBe(true);
  });

  it('gives implicit ratings when there is no rating column', async () => {
    const r = await parse('pairs.csv', 'user,item\na,x\nb,y\n', { implicitRating: 1 });
    expect(r.header).toEqual(['user', 'item']);
    expect([...r.dataset.ratings]).toEqual([1, 1]);
  });

  it('handles quotes, CRLF, a BOM, spaces and non-canonical numeric ids', async () => {
    const r = await parse('q.csv', '\ufeffuser,item,rating\r\n"u,1","say ""hi""", 4 \r\n007,7,1\r\n7,7,2\r\n');
    expect(r.dataset.userIds).toEqual(['u,1', '007', '7']);
    expect(r.dataset.itemIds).toEqual(['say "hi"', '7']);
    expect([...r.dataset.ratings]).toEqual([4, 1, 2]);
  });

  it('decodes latin1 ids when asked', async () => {
    const bytes = Buffer.from('caf\xe9,x,1\n', 'latin1');
    const r = await parseRatings(bytesSource('l.csv', bytes), { encoding: 'latin1', header: false });
    expect(r.dataset.userIds).toEqual(['café']);
  });

  it('shares id maps across files', async () => {
    const userMap = new IdMap();
    const itemMap = new IdMap();
    await parse('a.csv', 'user,item\n1,10\n', { userMap, itemMap });
    const b = await parse('b.csv', 'user,item\n2,10\n1,11\n', { userMap, itemMap });
    expect([...b.dataset.users]).toEqual([1, 0]);
    expect([...b.dataset.items]).toEqual([0, 1]);
  });

  it('gives the same result whatever the chunking (large input, :: and quoted CSV)', async () => {
    const lines: string[] = [];
    for (let k = 0; k < 20000; k++) lines.push(`${k % 997}::${(k * 7) % 1009}::${(k % 10) / 2}::${1e9 + k}`);
    const text = `${lines.join('\n')}\n`;
    const whole = await parse('big.dat', text);
    for (const step of [61, 4096, 65537]) {
      const r = await parseRatings(chunked('big.dat', text, step));
      expect(r.rows).toBe(20000);
      for (const col of ['users', 'items', 'ratings', 'timestamps'] as const) {
        expect(sameBytes(r.dataset[col], whole.dataset[col]), col).toBe(true);
      }
    }
    const csvText = `user,item,rating\n${lines.map((_, k) => `"u ${k % 50}","it, ${k % 13}",${k % 5}`).join('\r\n')}`;
    const c = await parseRatings(chunked('big.csv', csvText, 333));
    expect(c.rows).toBe(20000);
    expect(c.dataset.itemIds).toContain('it, 12');
  });

  it("the numeric fast path gives exactly the general path's results, errors and line numbers", async () => {
    const odd = [
      '007,1,2,3',
      '"5",6,7,8',
      ' 9,1,1,1',
      '1,2,1e1,3',
      '1,2,-1,3',
      '12345678901234567,1,1,1',
      'a,b,1,1',
      '1,2,3',
      '1,2,x,3',
      '',
      '3.0,1,1,1',
      '1,2,3.,4',
      '1,2,.5,4',
      '1,2,3,4\r',
      '1,2,3,4,',
    ];
    const lines = ['userId,movieId,rating,timestamp'];
    for (let k = 0; k < 30000; k++) lines.push(k % 97 === 0 ? odd[(k / 97) % odd.length]! : `${k % 401},${(k * 13) % 777},${(k % 10) / 2},${1e9 + k}`);
    const text = lines.join('\n'); // no final newline
    const general = await parseRatings(chunked('m.csv', text, 1 << 20), { skipBadLines: true, maxBadLineExamples: 100, fastPath: false });
    expect(general.badLines.count).toBeGreaterThan(0);
    for (const step of [13, 4096, 1 << 20]) {
      const fast = await parseRatings(chunked('m.csv', text, step), { skipBadLines: true, maxBadLineExamples: 100 });
      expect(fast.badLines).toEqual(general.badLines);
      expect(fast.blankLines).toBe(general.blankLines);
      expect(fast.dataset.userIds).toEqual(general.dataset.userIds);
      expect(fast.dataset.itemIds).toEqual(general.dataset.itemIds);
      for (const col of ['users', 'items', 'ratings', 'timestamps'] as const) {
        expect(sameBytes(fast.dataset[col], general.dataset[col]), col).toBe(true);
      }
    }
  });

  it('reads files in chunks and reports progress up to the file size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'delim-'));
    try {
      const path = join(dir, 'r.csv');
      const body = Array.from({ length: 50000 }, (_, k) => `${k % 300},${k % 77},${(k % 9) / 2},${k}`).join('\n');
      await writeFile(path, `userId,movieId,rating,timestamp\n${body}\n`);
      const seen: number[] = [];
      const r = await parseRatingsFile(path, { chunkSize: 8192, onProgress: (p) => seen.push(p.bytes) });
      expect(r.rows).toBe(50000);
      expect(r.dataset.userIds.length).toBe(300);
      expect(seen.length).toBeGreaterThan(10);
      expect(seen.at(-1)).toBe(Buffer.byteLength(`userId,movieId,rating,timestamp\n${body}\n`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseRatings bad lines', () => {
  const head = 'userId,movieId,rating,timestamp\n1,2,3,4\n';

  it.each([
    ['wrong field count', `${head}1,2,3\n`, 'line', '1,2,3', /expected 4 fields, found 3/],
    ['non-numeric rating', `${head}1,2,abc,4\n`, 'rating', 'abc', /not a number/],
    ['empty user id', `${head},2,3,4\n`, 'user', '', /empty id/],
    ['empty item id', `${head}1, ,3,4\n`, 'item', '', /empty id/],
    ['bad timestamp', `${head}1,2,3,12x\n`, 'timestamp', '12x', /not a number/],
    ['infinite rating', `${head}1,2,Infinity,4\n`, 'rating', 'Infinity', /not a number/],
    ['unterminated quote', `${head}1,"2,3,4\n`, 'line', '1,"2,3,4', /unterminated/],
  ])('%s: error names file, line, field and text', async (_case, text, field, bad, reason) => {
    const e = await failure('data/ratings.csv', text);
    expect(e.file).toBe('data/ratings.csv');
    expect(e.line).toBe(3);
    expect(e.field).toBe(field);
    expect(e.text).toBe(bad);
    expect(e.reason).toMatch(reason);
    expect(e.message).toContain('data/ratings.csv:3: bad ' + field);
    expect(e.message).toContain(JSON.stringify(bad));
  });

  it('names the column in the message', async () => {
    const e = await failure('r.csv', `${head}1,2,x,4\n`);
    expect(e.message).toContain('column 3, "rating"');
  });

  it('reports JSONL problems the same way', async () => {
    const e = await failure('r.jsonl', '{"user":1,"item":2}\n{"user":1,\n');
    expect([e.line, e.field]).toEqual([2, 'line']);
    expect(e.reason).toMatch(/invalid JSON/);
    const m = await failure('r.jsonl', '{"user":1,"item":2}\n{"item":2}\n');
    expect([m.line, m.field, m.reason]).toEqual([2, 'user', 'missing']);
  });

  it('counts bad lines with skipBadLines, keeps examples, and adds no ids from them', async () => {
    const text = `${head}1,2,3\n5,6,x,7\n,9,1,1\n8,9,1,1\n1,9,2,zz\n`;
    const r = await parse('r.csv', text, { skipBadLines: true, maxBadLineExamples: 2 });
    expect(r.rows).toBe(2);
    expect(r.badLines.count).toBe(4);
    expect(r.badLines.examples).toEqual([
      { line: 3, field: 'line', text: '1,2,3', reason: 'expected 4 fields, found 3' },
      { line: 4, field: 'rating', text: 'x', reason: 'not a number', column: 'column 3, "rating"' },
    ]);
    expect(r.dataset.userIds).toEqual(['1', '8']);
    expect(r.dataset.itemIds).toEqual(['2', '9']);
  });

  it('rejects configuration problems regardless of skipBadLines', async () => {
    await expect(parse('r.csv', 'a,b,c\n1,2,3\n', { columns: { user: 'nope' }, skipBadLines: true })).rejects.toThrow(/no user column "nope" in header \[a, b, c\]/);
    await expect(parse('r.csv', '1,2\n', { columns: { rating: 5 } })).rejects.toThrow(/out of range/);
  });
});
