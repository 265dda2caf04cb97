// Owns reading small delimited files (item metadata) as string fields per line.

import { DataFormatError } from './errors.js';
import { fieldText, type TextEncoding } from './numbers.js';
import type { ByteSource } from './read-file.js';
import { RecordScanner } from './scanner.js';
import { pumpRecords } from './pump.js';

export interface RecordsOptions {
  delimiter: string;
  quotes?: boolean;
  encoding?: TextEncoding;
  /** Drop the first non-blank line. */
  header?: boolean;
}

export interface TextRecord {
  line: number;
  fields: string[];
}

/** Every non-blank line's fields as strings (quoted fields unescaped). Structural errors throw. */
export async function readRecords(source: ByteSource, opts: RecordsOptions): Promise<TextRecord[]> {
  const enc = opts.encoding ?? 'utf8';
  const out: TextRecord[] = [];
  let skipHeader = opts.header ?? false;
  const scanner = new RecordScanner({ delimiter: new Uint8Array(Buffer.from(opts.delimiter, 'utf8')), quotes: opts.quotes ?? false }, 1024);
  await pumpRecords(
    source,
    () => scanner,
    (buf, rec) => {
      if (rec.blank) return;
      if (rec.error !== null) {
        const text = fieldText(buf, rec.start, rec.end, false, enc);
        throw new DataFormatError(source.name, { line: rec.line, field: 'line', text, reason: rec.error });
      }
      if (skipHeader) {
        skipHeader = false;
        return;
      }
      const fields: string[] = [];
      for (let k = 0; k < Math.min(rec.count, rec.starts.length); k++) fields.push(fieldText(buf, rec.starts[k]!, rec.ends[k]!, rec.escaped[k] === 1, enc));
      out.push({ line: rec.line, fields });
    },
  );
  return out;
}
