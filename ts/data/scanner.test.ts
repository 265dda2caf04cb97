import { describe, expect, it } from 'vitest';
import { RecordScanner, type ScanConfig } from './scanner.js';

type Rec = { line: number; fields: string[]; error: string | null; blank: boolean };

/** Feeds `text` in `step`-byte pieces the way pump.ts does (keep the unconsumed tail, append). */
function scanAll(text: string, cfg: ScanConfig, step: number): Rec[] {
  const bytes = Buffer.from(text, 'utf8');
  const scanner = new RecordScanner(cfg);
  const out: Rec[] = [];
  const onRecord = (buf: Uint8Array, rec: import('./scanner.js').RecordFields): void => {
    const fields: string[] = [];
    for (let k = 0; k < rec.count; k++) {
      const t = Buffer.from(buf.subarray(rec.starts[k], rec.ends[k])).toString('utf8');
      fields.push(rec.escaped[k] ? t.replaceAll('""', '"') : t);
    }
    out.push({ line: rec.line, fields, error: rec.error, blank: rec.blank });
  };
  let work = Buffer.alloc(0);
  for (let off = 0; off < bytes.length; off += step) {
    work = Buffer.concat([work, bytes.subarray(off, off + step)]);
    const used = scanner.scan(work, 0, work.length, false, onRecord);
    work = work.subarray(used);
  }
  scanner.scan(work, 0, work.length, true, onRecord);
  return out;
}

const csv: ScanConfig = { delimiter: Buffer.from(','), quotes: true };
const dat: ScanConfig = { delimiter: Buffer.from('::'), quotes: false };

describe('RecordScanner', () => {
  const text = '\ufeffa,b,c\r\n"x, y","say ""hi""",3\n\n"multi\nline",q,\nlast,1,2';
  it.each([1, 2, 3, 5, 7, 1000])('splits CSV identically with %i-byte chunks', (step) => {
    const recs = scanAll(text, csv, step);
    expect(recs.map((r) => r.fields)).toEqual([['a', 'b', 'c'], ['x, y', 'say "hi"', '3'], [''], ['multi\nline', 'q', ''], ['last', '1', '2']]);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3, 4, 6]);
    expect(recs[2]!.blank).toBe(true);
    expect(recs.every((r) => r.error === null)).toBe(true);
  });

  it.each([1, 2, 3, 4])('handles a two-byte delimiter split across chunks (%i)', (step) => {
    const recs = scanAll('1::2::3.5::99\n10::20::4::100\n', dat, step);
    expect(recs.map((r) => r.fields)).toEqual([
      ['1', '2', '3.5', '99'],
      ['10', '20', '4', '100'],
    ]);
  });

  it('does not treat a single colon as the :: delimiter', () => {
    expect(scanAll('a:b::c\n', dat, 1)[0]!.fields).toEqual(['a:b', 'c']);
  });

  it('flags an unterminated quote and text after a closing quote', () => {
    const recs = scanAll('"ok",1\n"bad"x,2\n"open,3\n', csv, 4);
    expect(recs[0]!.error).toBeNull();
    expect(recs[1]!.error).toMatch(/after a closing quote/);
    expect(recs[1]!.line).toBe(2);
    expect(recs[2]!.error).toMatch(/unterminated/);
    expect(recs[2]!.line).toBe(3);
  });
});
