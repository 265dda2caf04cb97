// Owns the rating-file parser: CSV / TSV / "::" (MovieLens .dat) / JSONL lines of
// user,item[,rating][,timestamp] → Dataset, streamed from a ByteSource, strict about bad lines.

import { DatasetBuilder, type Dataset } from './dataset.js';
import type { IdMap } from './id-map.js';
import { BadLineTracker, clip, type BadLineSummary } from './errors.js';
// biome-ignore lint/correctness/noUnusedImports: resolveColumns is called in the parser below; Biome 2.6.8 misses the use
import { looksLikeHeader, resolveColumns, type ColumnSpec, type ResolvedColumns } from './columns.js';
import { canonicalUintBytes, fieldText, parseNumber, trimEnd, trimStart, type TextEncoding } from './numbers.js';
import { fileSource, type ByteSource } from './read-file.js';
import { RecordScanner, type RecordFields, type RecordHandler, type Scanner } from './scanner.js';
import { FastNumericScanner } from './fast-lines.js';
import { pumpRecords } from './pump.js';
import { detectLayout, formatOfDelimiter, scanConfigFor, type Format } from './format.js';
import { makeJsonlHandler } from './jsonl.js';
import type { MissingCounts, ParseContext, ParseOptions } from './parse-context.js';

export type { Format } from './format.js';
export type { MissingCounts, ParseOptions, ParseProgress } from './parse-context.js';

export interface ParseResult {
  dataset: Dataset;
  source: string;
  format: Format;
  /** The field separator used ('' for JSONL). */
  delimiter: string;
  /** The header line's fields, or null. */
  header: string[] | null;
  columns: ResolvedColumns | null;
  /** Data rows kept. */
  rows: number;
  blankLines: number;
  badLines: BadLineSummary;
  /** Kept rows whose rating or timestamp field was empty (stored as NaN: missing, not malformed). */
  missing: MissingCounts;
}

export async function parseRatingsFile(path: string, opts: ParseOptions = {}): Promise<ParseResult> {
  return parseRatings(await fileSource(path, opts.chunkSize), opts);
}

export async function parseRatings(source: ByteSource, opts: ParseOptions = {}): Promise<ParseResult> {
  const ctx: ParseContext = {
    source: source.name,
    opts,
    builder: new DatasetBuilder({ userMap: opts.userMap, itemMap: opts.itemMap }),
    bad: new BadLineTracker(source.name, opts.skipBadLines ?? false, opts.maxBadLineExamples),
    header: null,
    columns: null,
    blankLines: 0,
    missing: { rating: 0, timestamp: 0 },
  };
  let format: Format = 'csv';
  let delimiter = ',';
  let handler: RecordHandler = () => {};
  const makeScanner = (head: Uint8Array): Scanner => {
    if (opts.delimiter !== undefined) [format, delimiter] = [opts.format ?? formatOfDelimiter(opts.delimiter), opts.delimiter];
    else if (opts.format !== undefined) [format, delimiter] = [opts.format, { csv: ',', tsv: '\t', dat: '::', jsonl: '' }[opts.format]];
    else ({ format, delimiter } = detectLayout(source.name, head));
    handler = format === 'jsonl' ? makeJsonlHandler(ctx) : makeDelimitedHandler(ctx);
    const cfg = scanConfigFor(format, format === 'jsonl' ? undefined : delimiter, opts.quotes);
    const generic = new RecordScanner(cfg, 256);
    if (format === 'jsonl' || cfg.delimiter.length !== 1 || opts.fastPath === false) return generic;
    return new FastNumericScanner(generic, cfg.delimiter[0]!, ctx.builder, () => ctx.columns, opts.implicitRating ?? 1);
  };
  const onChunk = (bytes: number): void => {
    const rows = ctx.builder.length;
    if (source.size !== undefined && rows >= 1000 && bytes < source.size) {
      // Size the columns from the average line length so far rather than by repeated doubling
      // (each regrowth copies everything); re-project only if the estimate runs out.
      const perRow = bytes / rows;
      const headroom = Math.ceil((4 << 20) / perRow);
      if (ctx.builder.capacity - rows < headroom) ctx.builder.reserve(Math.ceil((source.size / perRow) * 1.02) + headroom);
    }
    opts.onProgress?.({ bytes, totalBytes: source.size, rows });
  };
  await pumpRecords(source, makeScanner, (buf, rec) => handler(buf, rec), onChunk);
  const dataset = ctx.builder.build();
  return {
    dataset,
    source: source.name,
    format,
    delimiter,
    header: ctx.header,
    columns: ctx.columns,
    rows: dataset.length,
    blankLines: ctx.blankLines,
    badLines: ctx.bad.summary,
    missing: ctx.missing,
  };
}

function makeDelimitedHandler(ctx: ParseContext): RecordHandler {
  const { builder, bad, opts } = ctx;
  const { userMap, itemMap } = builder;
  const enc: TextEncoding = opts.encoding ?? 'utf8';
  const implicit = opts.implicitRating ?? 1;
  const spec = opts.columns ?? {};
  let cu = 0,
    ci = 0,
    cr = -1,
    ct = -1,
    nf = 0;
  let names: string[] | null = null;

  const text = (buf: Uint8Array, rec: RecordFields, k: number): string => fieldText(buf, rec.starts[k]!, rec.ends[k]!, rec.escaped[k] === 1, enc);
  const lineText = (buf: Uint8Array, rec: RecordFields): string => JSON.stringify(clip(fieldText(buf, rec.start, rec.end, false, enc)));
  const col = (k: number): string => `column ${k + 1}${names ? `, "${names[k]}"` : ''}`;
  const id = (map: IdMap, buf: Uint8Array, rec: RecordFields, k: number, s: number, e: number): number => {
    const n = rec.escaped[k] === 1 ? -1 : canonicalUintBytes(buf, s, e);
    return n >= 0 ? map.internNumber(n) : map.intern(fieldText(buf, s, e, rec.escaped[k] === 1, enc));
  };

  return (buf, rec) => {
    if (rec.blank) {
      ctx.blankLines++;
      return;
    }
    if (rec.error !== null) {
      bad.report(rec.line, 'line', fieldText(buf, rec.start, rec.end, false, enc), rec.error);
      return;
    }
    if (ctx.columns === null) {
      const first: string[] = [];
      for (let k = 0; k < Math.min(rec.count, rec.starts.length); k++) first.push(text(buf, rec, k).trim());
      const hasHeader = opts.header === 'auto' || opts.header === undefined ? looksLikeHeader(first, spec) : opts.header;
      names = hasHeader ? first : null;
      const cols = resolveColumns(ctx.source, names, rec.count, spec);
      ctx.columns = cols;
      ctx.header = names;
      ({ user: cu, item: ci, rating: cr, timestamp: ct, fieldCount: nf } = cols);
      if (hasHeader) return;
    }
    if (rec.count !== nf) {
      bad.report(rec.line, 'line', fieldText(buf, rec.start, rec.end, false, enc), `expected ${nf} fields, found ${rec.count}`);
      return;
    }
    const us = trimStart(buf, rec.starts[cu]!, rec.ends[cu]!);
    const ue = trimEnd(buf, us, rec.ends[cu]!);
    if (us === ue) return bad.report(rec.line, 'user', '', `empty id in line ${lineText(buf, rec)}`, col(cu));
    const is = trimStart(buf, rec.starts[ci]!, rec.ends[ci]!);
    const ie = trimEnd(buf, is, rec.ends[ci]!);
    if (is === ie) return bad.report(rec.line, 'item', '', `empty id in line ${lineText(buf, rec)}`, col(ci));
    // An empty rating or timestamp is missing (NaN, counted), not malformed.
    let rating = implicit;
    if (cr >= 0) {
      const s = trimStart(buf, rec.starts[cr]!, rec.ends[cr]!);
      const e = trimEnd(buf, s, rec.ends[cr]!);
      rating = parseNumber(buf, s, e);
      if (s === e) ctx.missing.rating++;
      else if (!Number.isFinite(rating)) return bad.report(rec.line, 'rating', text(buf, rec, cr), 'not a number', col(cr));
    }
    let ts = NaN; // the rating's steps again for the timestamp, written out on purpose: this is the per-row loop of the parser
    if (ct >= 0) {
      const s = trimStart(buf, rec.starts[ct]!, rec.ends[ct]!);
      const e = trimEnd(buf, s, rec.ends[ct]!);
      ts = parseNumber(buf, s, e);
      if (s === e) ctx.missing.timestamp++;
      else if (!Number.isFinite(ts)) return bad.report(rec.line, 'timestamp', text(buf, rec, ct), 'not a number', col(ct));
    }
    builder.push(id(userMap, buf, rec, cu, us, ue), id(itemMap, buf, rec, ci, is, ie), rating, ts);
  };
}
