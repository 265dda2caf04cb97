// New items under filter expressions (`where=` and named filters), against a real server and a
// brute-force reference written as a plain predicate over the facts the test itself wrote: each
// answer (k deeper than the catalogue) holds exactly the items — the model's and the new ones —
// that pass, are neither hidden nor unavailable, and that the user never interacted with (their
// training items, and the new items they sent events on).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server.js';
import { clusterRegistry, ITEMS, seen } from './testing/clusters.js';
import { capturedLogger, getJson } from './testing/fixtures.js';

interface Facts {
  id: string;
  categories: string[];
  price: number;
  /** Shown to no one (unavailable or deleted). */
  hidden: boolean;
}
const model: Facts[] = Array.from({ length: ITEMS }, (_, j) => ({ id: `i${j}`, categories: [j < 15 ? 'Alpha' : 'Beta'], price: j, hidden: j === 5 || j === 20 }));
/** New items, each clicked by users u0–u4 (and `fresh-cheap` also by u6). */
const fresh: Facts[] = [
  { id: 'fresh-cheap', categories: ['Alpha'], price: 3, hidden: false },
  { id: 'fresh-dear', categories: ['Alpha'], price: 50, hidden: false },
  { id: 'fresh-beta', categories: ['Beta'], price: 7, hidden: false },
  { id: 'fresh-gone', categories: ['Alpha'], price: 1, hidden: true },
];
const touched = (u: number, id: string) => id.startsWith('fresh') && (u < 5 || (u === 6 && id === 'fresh-cheap'));

let s: RunningServer;
const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  s = await startServer({
    modelsDir: clusterRegistry().root,
    port: 0,
    logger: capturedLogger().log,
    loadMode: 'inline',
    eventsDb: join(mkdtempSync(join(tmpdir(), 'recs-new-items-filters-')), 'events.sqlite'),
    filters: { cheap: 'price < 10' },
  });
  for (const f of [...model, ...fresh]) {
    const r = await getJson(`${s.url}/v1/items/${f.id}`, json('PUT', { categories: f.categories, attributes: { price: f.price }, available: !f.hidden }));
    expect(r.status).toBe(200);
  }
  const events = fresh.flatMap((f) => [0, 1, 2, 3, 4].map((u) => ({ eventId: `${f.id}-${u}`, userId: `u${u}`, itemId: f.id, type: 'click' })));
  events.push({ eventId: 'u6-cheap', userId: 'u6', itemId: 'fresh-cheap', type: 'click' });
  expect((await getJson(`${s.url}/v1/events`, json('POST', events))).status).toBe(202);
  // every new item has a vector (similar items answer for it)
  for (const f of fresh.filter((x) => !x.hidden)) for (let i = 0; i < 200 && (await getJson(`${s.url}/v1/items/${f.id}/similar?k=1`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 10));
});
afterAll(async () => {
  await s?.close();
});

const cases: [string, (f: Facts) => boolean][] = [
  ['price < 10', (f) => f.price < 10],
  ['price >= 10', (f) => f.price >= 10],
  ["category in ('Alpha')", (f) => f.categories.includes('Alpha')],
  ["not category in ('Alpha')", (f) => !f.categories.includes('Alpha')],
  ["price < 4 or category in ('Beta')", (f) => f.price < 4 || f.categories.includes('Beta')],
  ["category = 'Alpha' and price > 2", (f) => f.categories.includes('Alpha') && f.price > 2],
];

describe('new items under filters', () => {
  it.each(cases)('where=%s: exactly the passing items, new ones included, never seen, touched or hidden', async (where, pred) => {
    for (const u of [6, 7, 12, 3]) {
      const r = await getJson(`${s.url}/v1/users/u${u}/recommendations?k=${ITEMS + fresh.length}&where=${encodeURIComponent(where)}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const got = (r.body.items as { itemId: string }[]).map((i) => i.itemId).sort();
      const want = [...model, ...fresh]
        .filter((f) => pred(f) && !f.hidden && !touched(u, f.id) && !(f.id.startsWith('i') && seen(u).includes(Number(f.id.slice(1)))))
        .map((f) => f.id)
        .sort();
      expect(got, `u${u} ${where}`).toEqual(want);
    }
  });

  it('a named filter lets new items through the same way', async () => {
    const r = await getJson(`${s.url}/v1/users/u7/recommendations?k=10&filter=cheap`);
    const got = (r.body.items as { itemId: string }[]).map((i) => i.itemId);
    expect(got).toContain('fresh-cheap'); // an Alpha item from u7's own cluster, scoring above the stored ones
    expect(got).not.toContain('fresh-dear');
    expect(got).not.toContain('fresh-gone');
  });
});
