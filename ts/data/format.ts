// Owns rating-file format names, detection (extension, then sniffing) and their scanner settings.

import type { ScanConfig } from './scanner.js';

/** csv: "," with quotes; tsv: tab; dat: "::" (MovieLens 1M/10M); jsonl: one JSON object or array per line. */
export type Format = 'csv' | 'tsv' | 'dat' | 'jsonl';

const BY_EXTENSION: Record<string, Format> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  dat: 'dat',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
};

/** Format from the name's extension, else from the first non-blank line of `head`. */
export function detectFormat(name: string, head: Uint8Array): Format {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  const known = ext === undefined ? undefined : BY_EXTENSION[ext];
  if (known) return known;
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, 4096)).toString('latin1');
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  if (/^\s*[[{]/.test(line)) return 'jsonl';
  if (line.includes('::')) return 'dat';
  if (line.includes('\t')) return 'tsv';
  if (line.includes(',')) return 'csv';
  throw new Error(`${name}: cannot tell the format from the first line ${JSON.stringify(line.slice(0, 80))}; pass format or delimiter`);
}

export function scanConfigFor(format: Format, delimiter?: string, quotes?: boolean): ScanConfig {
  const sep = delimiter ?? { csv: ',', tsv: '\t', dat: '::', jsonl: '' }[format];
  if (format === 'jsonl' && delimiter === undefined) return { delimiter: new Uint8Array(0), quotes: false };
  if (sep === '') throw new Error('delimiter must not be empty');
  return {
    delimiter: new Uint8Array(Buffer.from(sep, 'utf8')),
    quotes: quotes ?? (format === 'csv' && sep === ','),
  };
}
