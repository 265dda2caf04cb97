// Owns the tune journal: one JSON line per finished fit (a trial's probe or its full fit), appended
// as soon as it finishes, so an interrupted `tune` run with the same journal continues where it
// stopped instead of starting over. The first line fingerprints the search (data, split, base
// parameters, trials, objective); a journal from a different search is refused, not mixed in.

import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

export type FitKind = 'probe' | 'full';

export interface JournalEntry {
  trial: number;
  kind: FitKind;
  metrics: Record<string, number>;
  seconds: number;
}

export class JournalError extends Error {}

export class Journal {
  private readonly entries = new Map<string, JournalEntry>();

  private constructor(
    readonly path: string,
    readonly resumed: number,
  ) {}

  /** Opens (or creates) the journal at `path` for the search that `identity` describes. */
  static open(path: string, identity: unknown): Journal {
    const fingerprint = createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
    if (!existsSync(path)) {
      writeFileSync(path, JSON.stringify({ journal: 'recs-tune', fingerprint }) + '\n');
      return new Journal(path, 0);
    }
    const lines = readFileSync(path, 'utf8').split('\n');
    let header: { fingerprint?: string } | undefined;
    try {
      header = JSON.parse(lines[0] ?? '') as { fingerprint?: string };
    } catch {
      header = undefined;
    }
    if (header?.fingerprint === undefined) throw new JournalError(`${path}, line 1: not a tune journal; delete it or choose another --journal`);
    if (header.fingerprint !== fingerprint) {
      throw new JournalError(`${path} belongs to a different search (the data, split, base parameters, trials or objective differ); delete it or choose another --journal`);
    }
    const entries: JournalEntry[] = [];
    for (const [i, line] of lines.slice(1).entries()) {
      if (line.trim() === '') continue;
      try {
        entries.push(JSON.parse(line) as JournalEntry);
      } catch {
        // A line cut short by the interruption is the only one that can be bad: it is the last,
        // and it is dropped (rewritten away) so new entries start on a line of their own.
        if (i !== lines.length - 2) throw new JournalError(`${path}, line ${i + 2}: not valid JSON; delete the journal to start over`);
        writeFileSync(path, [lines[0], ...entries.map((e) => JSON.stringify(e))].join('\n') + '\n');
      }
    }
    const j = new Journal(path, entries.length);
    for (const e of entries) j.entries.set(key(e.trial, e.kind), e);
    return j;
  }

  get(trial: number, kind: FitKind): JournalEntry | undefined {
    return this.entries.get(key(trial, kind));
  }

  record(e: JournalEntry): void {
    this.entries.set(key(e.trial, e.kind), e);
    appendFileSync(this.path, JSON.stringify(e) + '\n');
  }
}

const key = (trial: number, kind: FitKind) => `${kind}:${trial}`;
