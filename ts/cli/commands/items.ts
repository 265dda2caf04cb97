// The `items` command: `recs items import FILE` writes a JSON-lines file of item catalogue records
// into the event store the servers read (SQLite or Cosmos DB), where every server picks them up
// within its catalogue sync (2 s). The whole file is checked first: any bad line is reported with
// its line number and field and nothing is written.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { applyItemChange, deletedItem, parseItemChange } from '../../events/catalogue-validate.js';
import type { ItemRecord } from '../../events/catalogue.js';
import { describeEventStore, withEventStore } from '../../events/open.js';
import { flag, group, num } from '../../options/index.js';
import { defineCommand, UsageError } from '../command.js';
import { defaultEventsDb, eventStoreOption } from '../events-db.js';
import { eventsDbOption, eventsStoreOption, modelsDirOption } from '../option-groups.js';

const about = `recs items import FILE — write item catalogue records (what PUT /v1/items/{id} stores) from
a JSON-lines file into the event store the servers read; each server applies them within 2 s.

Each line is one item: {"itemId": "…", "title"?, "categories"?: […], "attributes"?: {name: value},
"available"?: true|false, "launchAt"?: ISO 8601 time} replaces that item's record (as PUT), and
{"itemId": "…", "deleted": true} hides the item (as DELETE). A later line for the same item wins.
Every line is checked before anything is written: bad lines are listed (FILE:LINE: field: problem)
and nothing is stored.`;

const options = group('Options', {
  'events-store': eventsStoreOption('The store the items are written to.'),
  'events-db': eventsDbOption("the SQLite event store (default $RECS_EVENTS_DB, else the server's <models-dir>/../events.sqlite)"),
  'models-dir': modelsDirOption(', for the default event store'),
  batch: num({ metavar: 'N', integer: true, min: 1, max: 100_000, default: 1000, help: 'records per write' }),
  json: flag({ help: 'print the outcome as JSON' }),
});

/** Most bad lines listed before the rest are only counted. */
const MAX_LISTED = 20;

interface ReadResult {
  records: ItemRecord[];
  hidden: number;
  problems: string[];
  bad: number;
}

async function readItemsFile(path: string, now: number): Promise<ReadResult> {
  const out: ReadResult = { records: [], hidden: 0, problems: [], bad: 0 };
  const complain = (line: number, what: string) => {
    out.bad++;
    if (out.problems.length < MAX_LISTED) out.problems.push(`${path}:${line}: ${what}`);
  };
  const input = createReadStream(path, 'utf8');
  const opened = new Promise<void>((resolve, reject) => input.once('open', () => resolve()).once('error', reject));
  await opened.catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(e.code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${e.message}`);
  });
  let n = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    if (text.trim() === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      complain(n, 'not valid JSON');
      continue;
    }
    const fields = o !== null && typeof o === 'object' && !Array.isArray(o) ? { ...(o as Record<string, unknown>) } : null;
    const itemId = fields?.['itemId'];
    if (typeof itemId !== 'string' || itemId === '' || itemId.length > 256 || /[\u0000-\u001f\u007f]/.test(itemId)) {
      complain(n, 'itemId: every line needs an "itemId": a string of 1–256 characters without control characters');
      continue;
    }
    const deleted = fields!['deleted'];
    delete fields!['deleted'];
    if (deleted !== undefined && typeof deleted !== 'boolean') {
      complain(n, 'deleted: must be true or false');
      continue;
    }
    if (deleted === true) {
      const extra = Object.keys(fields!).filter((k) => k !== 'itemId');
      if (extra.length > 0) complain(n, `${extra[0]}: a line with "deleted": true hides the item and takes no other fields`);
      else out.records.push(deletedItem(itemId, undefined, now)), out.hidden++;
      continue;
    }
    const parsed = parseItemChange(fields, itemId, 'put');
    if ('errors' in parsed) complain(n, parsed.errors.map((e) => (e.field ? `${e.field}: ` : '') + e.message).join('; '));
    else out.records.push(applyItemChange(itemId, undefined, parsed.change, 'put', now));
  }
  return out;
}

export const itemsCommand = defineCommand({
  name: 'items',
  summary: 'the item catalogue: import records from a JSON-lines file',
  about,
  groups: [options],
  positionals: true,
  async run(v, { positionals: all }) {
    const [sub, ...positionals] = all;
    if (sub !== 'import') throw new UsageError(sub === undefined ? 'recs items needs a subcommand: import FILE' : `unknown subcommand "${sub}"; recs items has: import FILE`);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'recs items import needs the FILE to import' : `recs items import takes one FILE; got ${positionals.length}`);
    const file = positionals[0]!;
    const batch = v.batch;
    const modelsDir = v['models-dir'];
    const cfg = eventStoreOption({ kind: v['events-store'], name: 'events-db', path: v['events-db'], fallback: defaultEventsDb(modelsDir), mustExist: false }, process.env);
    if (!cfg) throw new UsageError('no event store: pass --events-db PATH or --events-store cosmos');
    const read = await readItemsFile(file, Date.now());
    if (read.bad > 0) {
      const more = read.bad > read.problems.length ? `\n… and ${read.bad - read.problems.length} more bad line(s)` : '';
      throw new UsageError(`${read.bad} line(s) of ${file} are not valid items; nothing was imported:\n${read.problems.join('\n')}${more}`);
    }
    const last = [...new Map(read.records.map((r) => [r.itemId, r])).values()]; // a later line for an item wins
    let stored = 0;
    await withEventStore(cfg, async (store) => {
      for (let i = 0; i < last.length; i += batch) stored += await store.putItems(last.slice(i, i + batch));
    });
    const distinct = last.length;
    const outcome = { file, store: describeEventStore(cfg), lines: read.records.length, items: distinct, stored, hidden: read.hidden, newerKept: distinct - stored };
    if (v.json) console.log(JSON.stringify(outcome));
    else
      console.log(
        `imported ${stored} item record(s) (${read.hidden} hidden) from ${file} into ${outcome.store}${outcome.newerKept > 0 ? `; ${outcome.newerKept} item(s) kept a change stored after the import began` : ''}; servers apply them within their catalogue sync (2 s)`,
      );
    return 0;
  },
});
