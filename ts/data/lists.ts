// Owns reading ranked lists as `recs score` writes them (and as the API answers):
// {"userId": …, "items": [{"itemId": …, "score": …, …}, …]} per line → one row per (user, item),
// the score as the row's value (or another key of the item objects, e.g. a relevance).

import { DatasetBuilder, type Dataset } from './dataset.js';
import { DataFormatError } from './errors.js';
import type { IdMap } from './id-map.js';
import { fileSource } from './read-file.js';
import { readRecords } from './records.js';

/** Whether the first non-blank line of `head` is a JSON object holding an `items` array. */
export function looksLikeLists(head: string): boolean {
  const line = head.split('\n').find((l) => l.trim() !== '');
  if (line === undefined || !line.trimStart().startsWith('{')) return false;
  try {
    const v = JSON.parse(line) as { items?: unknown };
    return Array.isArray(v.items);
  } catch {
    return false;
  }
}

/**
 * Rows of every list; `value` names the key of the item objects read as the row's value (default
 * "score"; when it is absent, the rank gives 1/rank so the order is kept). Bad lines throw with
 * the file and line.
 */
export async function parseListsFile(path: string, o: { userMap?: IdMap; itemMap?: IdMap; value?: string } = {}): Promise<Dataset> {
  const b = new DatasetBuilder({ ...(o.userMap ? { userMap: o.userMap } : {}), ...(o.itemMap ? { itemMap: o.itemMap } : {}) });
  const key = o.value ?? 'score';
  for (const rec of await readRecords(await fileSource(path), { delimiter: '\n' })) {
    const text = rec.fields.join('');
    const bad = (reason: string): never => {
      throw new DataFormatError(path, { line: rec.line, field: 'line', text, reason });
    };
    let v: { userId?: unknown; user?: unknown; items?: unknown };
    try {
      v = JSON.parse(text) as typeof v;
    } catch (e) {
      return bad(`invalid JSON (${(e as Error).message})`);
    }
    const user = v.userId ?? v.user;
    if (typeof user !== 'string' && typeof user !== 'number') return bad('no "userId"');
    if (!Array.isArray(v.items)) return bad('no "items" list');
    v.items.forEach((x: unknown, j: number) => {
      const it = x as Record<string, unknown>;
      const item = it?.itemId ?? it?.item;
      if (typeof item !== 'string' && typeof item !== 'number') return bad(`item ${j + 1} has no "itemId"`);
      const raw = it[key];
      if (raw !== undefined && typeof raw !== 'number') return bad(`item ${j + 1}: "${key}" is not a number`);
      if (raw === undefined && o.value !== undefined) return bad(`item ${j + 1} has no "${key}"`);
      b.add(String(user), String(item), raw ?? 1 / (j + 1));
    });
  }
  return b.build();
}
