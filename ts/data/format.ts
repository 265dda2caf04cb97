// Owns rating-file format names, their detection (the content first, the extension as a hint) and
// their scanner settings. Files are taken as delivered: a tab-separated ".dat" with a header is
// read as tab-separated, not as MovieLens' "::".

import type { ScanConfig } from './scanner.js';

/** csv: a delimiter other than tab or "::" (default ","); tsv: tab; dat: "::"; jsonl: one JSON object or array per line. */
export type Format = 'csv' | 'tsv' | 'dat' | 'jsonl';

/** A format and its field separator, as sniffed or given. */
export interface Layout {
  format: Format;
  delimiter: string;
}

const BY_EXTENSION: Record<string, Format> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  dat: 'dat',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
};

const DEFAULT_DELIMITER: Record<Format, string> = { csv: ',', tsv: '\t', dat: '::', jsonl: '' };

/** Separators tried when sniffing, most specific first. */
const CANDIDATES = ['::', '\t', ',', ';', '|', ' '] as const;
const SNIFF_LINES = 50;

/** The format of a separator given by the user. */
export function formatOfDelimiter(delimiter: string): Format {
  return delimiter === '\t' ? 'tsv' : delimiter === '::' ? 'dat' : 'csv';
}

/**
 * Format and separator from the first lines of `head`: the first candidate separator that splits
 * every sampled line into the same number (≥ 2) of fields wins (quoted fields respected); the
 * extension only breaks the case where none does. JSON lines are recognised by a leading { or [.
 */
export function detectLayout(name: string, head: Uint8Array): Layout {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  const byExt = ext === undefined ? undefined : BY_EXTENSION[ext];
  if (byExt === 'jsonl') return { format: 'jsonl', delimiter: '' };
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, 64 * 1024))
    .toString('latin1')
    .replace(/^\ufeff|^\xef\xbb\xbf/, '');
  let lines = text.split('\n');
  if (lines.length > 1) lines.pop(); // the last piece may be cut short
  lines = lines
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '')
    .slice(0, SNIFF_LINES);
  if (lines.length === 0) return { format: byExt ?? 'csv', delimiter: DEFAULT_DELIMITER[byExt ?? 'csv'] };
  if (/^\s*[[{]/.test(lines[0]!)) return { format: 'jsonl', delimiter: '' };
  for (const d of CANDIDATES) {
    const counts = lines.map((l) => fieldCount(l, d));
    if (counts[0]! >= 2 && counts.every((c) => c === counts[0])) return { format: formatOfDelimiter(d), delimiter: d };
  }
  if (byExt !== undefined) return { format: byExt, delimiter: DEFAULT_DELIMITER[byExt] };
  // Ragged lines: the separator that splits most lines (the parser then names the odd ones).
  let best: string | null = null;
  let bestLines = 0;
  for (const d of CANDIDATES) {
    const n = lines.filter((l) => fieldCount(l, d) >= 2).length;
    if (n > bestLines) [best, bestLines] = [d, n];
  }
  if (best !== null) return { format: formatOfDelimiter(best), delimiter: best };
  throw new Error(`${name}: cannot tell the field separator from the first line ${JSON.stringify(lines[0]!.slice(0, 80))}; pass --delimiter`);
}

/** Format from the content (see detectLayout). */
export function detectFormat(name: string, head: Uint8Array): Format {
  return detectLayout(name, head).format;
}

/** Fields of one line split at `d`, double-quoted fields kept whole (for a single-byte d). */
function fieldCount(line: string, d: string): number {
  if (d.length > 1) return line.split(d).length;
  let n = 1;
  let quoted = false;
  for (let p = 0; p < line.length; p++) {
    const c = line[p];
    if (c === '"') quoted = !quoted;
    else if (c === d && !quoted) n++;
  }
  return n;
}

/** A separator as typed on a command line: a character or string, or tab, comma, semicolon, pipe, space. */
export function parseDelimiterName(text: string): string {
  const named: Record<string, string> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', pipe: '|', space: ' ' };
  const d = named[text.toLowerCase()] ?? text;
  if (d === '') throw new Error('the delimiter must not be empty');
  if (/[\n\r"]/.test(d)) throw new Error(`the delimiter cannot contain a newline or a double quote; got ${JSON.stringify(text)}`);
  return d;
}

export function scanConfigFor(format: Format, delimiter?: string, quotes?: boolean): ScanConfig {
  if (format === 'jsonl' && delimiter === undefined) return { delimiter: new Uint8Array(0), quotes: false };
  const sep = delimiter ?? DEFAULT_DELIMITER[format];
  if (sep === '') throw new Error('delimiter must not be empty');
  return {
    delimiter: new Uint8Array(Buffer.from(sep, 'utf8')),
    quotes: quotes ?? (format === 'csv' && (sep === ',' || sep === ';')),
  };
}
