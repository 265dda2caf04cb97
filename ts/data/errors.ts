// Owns the errors and bad-line bookkeeping of the data loaders (never a silent skip).

/** One rejected input line. `field` is a role ("user", "item", "rating", "timestamp") or "line". */
export interface BadLine {
  line: number;
  field: string;
  text: string;
  reason: string;
  /** Where the field is, e.g. 'column 3, "rating"'. */
  column?: string;
}

export interface BadLineSummary {
  count: number;
  /** The first few (see maxBadLineExamples) in file order. */
  examples: BadLine[];
}

const MAX_TEXT = 200;

export function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

/** A malformed input line: names the file, line number, field and offending text. */
export class DataFormatError extends Error {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly text: string;
  readonly reason: string;

  constructor(file: string, bad: BadLine) {
    const where = bad.column ? ` (${bad.column})` : '';
    super(`${file}:${bad.line}: bad ${bad.field} ${JSON.stringify(clip(bad.text))}${where}: ${bad.reason}` + ' (--skip-bad-lines counts and skips such lines instead)');
    this.name = 'DataFormatError';
    this.file = file;
    this.line = bad.line;
    this.field = bad.field;
    this.text = bad.text;
    this.reason = bad.reason;
  }
}

/** Throws on the first bad line, or counts them (keeping a few examples) when skipping. */
export class BadLineTracker {
  readonly summary: BadLineSummary = { count: 0, examples: [] };

  constructor(
    private readonly file: string,
    private readonly skip: boolean,
    private readonly maxExamples = 5,
  ) {}

  report(line: number, field: string, text: string, reason: string, column?: string): void {
    const bad: BadLine = { line, field, text: clip(text), reason };
    if (column !== undefined) bad.column = column;
    if (!this.skip) throw new DataFormatError(this.file, bad);
    this.summary.count++;
    if (this.summary.examples.length < this.maxExamples) this.summary.examples.push(bad);
  }
}
