// Request-time rules against a real server, each filter form checked against a brute-force
// reference written as a plain predicate: the answer starts with the user's stored list filtered
// (in its order), continues with every other item that passes (ranked from the factors), and holds
// exactly the items that pass, are not hidden and were never seen. Also: named filters, `exclude`
// of any length via POST, promotions (pin, boost, a hidden item refused) and precise 400s.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../server.js';
import { capturedLogger, fixtureRegistry, getJson, GENRES } from '../testing/fixtures.js';

const USERS = 20;
const ITEMS = 30;
const DEPTH = 6;
let s: RunningServer;

interface Facts {
  j: number;
  categories: string[];
  price: number;
  brand: string;
  isNew: boolean;
  available: boolean;
}
/** The catalogue the test writes: price j, brand acme/zed by parity, new every 5th, i9 unavailable, i4 recategorised. */
const facts: Facts[] = Array.from({ length: ITEMS }, (_, j) => ({
  j,
  categories: j === 4 ? ['Special'] : j === 0 ? ['Comedy', 'Drama'] : [GENRES[j % 3]!],
  price: j,
  brand: j % 2 ? 'zed' : 'acme',
  isNew: j % 5 === 0,
  available: j !== 9,
}));
const hidden = new Set([9, 17]); // i17 deleted

beforeAll(async () => {
  const registry = fixtureRegistry('v1');
  s = await startServer({
    modelsDir: registry.root,
    port: 0,
    logger: capturedLogger().log,
    loadMode: 'inline',
    eventsDb: join(mkdtempSync(join(tmpdir(), 'recs-rules-')), 'events.sqlite'),
    filters: { cheap: 'price < 10', comedies: "category in ('comedy')" },
  });
  for (const f of facts) {
    const body = { ...(f.j === 4 && { categories: f.categories }), attributes: { price: f.price, brand: f.brand, new: f.isNew }, available: f.available };
    const r = await getJson(`${s.url}/v1/items/i${f.j}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(r.status).toBe(200);
  }
  expect((await getJson(`${s.url}/v1/items/i17`, { method: 'DELETE' })).status).toBe(200);
});
afterAll(async () => {
  await s?.close();
});

const storedList = (u: number) => Array.from({ length: u === USERS - 1 ? 2 : DEPTH }, (_, x) => (u + 1 + 2 * x) % ITEMS);
const seenBy = (u: number) => new Set(u < 0 ? [] : [0, 1, 2].map((x) => (u + 2 * x) % ITEMS));
const post = (path: string, body: unknown) => getJson(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const rows = (body: { items: { itemId: string }[] }) => body.items.map((i) => Number(i.itemId.slice(1)));

/** Checks user u's answer to `where` against the predicate. */
async function check(u: number, where: string, pred: (f: Facts) => boolean): Promise<void> {
  const r = await getJson(`${s.url}/v1/users/u${u}/recommendations?k=30&where=${encodeURIComponent(where)}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const got = rows(r.body);
  const ok = (j: number) => pred(facts[j]!) && !hidden.has(j) && !seenBy(u).has(j);
  const fromList = storedList(u).filter(ok);
  const all = facts.map((f) => f.j).filter(ok);
  expect(got.slice(0, fromList.length), where).toEqual(fromList);
  expect(
    [...got].sort((a, b) => a - b),
    where,
  ).toEqual(all);
  const scores = r.body.items.map((i: { score: number }) => i.score);
  for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]);
}

describe('filters', () => {
  const forms: [string, (f: Facts) => boolean][] = [
    ["category in ('Comedy', 'horror')", (f) => f.categories.some((c) => ['comedy', 'horror'].includes(c.toLowerCase()))],
    ["not category in ('Drama')", (f) => !f.categories.includes('Drama')],
    ["category not in ('Drama', 'Special')", (f) => !f.categories.some((c) => c === 'Drama' || c === 'Special')],
    ['available', () => true],
    ['price < 12', (f) => f.price < 12],
    ['price >= 20', (f) => f.price >= 20],
    ['price <= 3 or price > 27', (f) => f.price <= 3 || f.price > 27],
    ["brand = 'acme' and price != 8", (f) => f.brand === 'acme' && f.price !== 8],
    ["new or (brand = 'zed' and price < 10)", (f) => f.isNew || (f.brand === 'zed' && f.price < 10)],
    ["not (new or brand = 'acme')", (f) => !(f.isNew || f.brand === 'acme')],
    ["category in ('special')", (f) => f.categories.includes('Special')],
    ["itemId in ('i3', 'i9', 'i17', 'i20')", (f) => [3, 9, 17, 20].includes(f.j)],
  ];
  for (const [where, pred] of forms) {
    it(`where ${where}`, async () => {
      for (const u of [0, 3, 8, 19]) await check(u, where, pred);
    });
  }

  it('runs named filters, alone and with an expression, in the GET, the POST and the batch', async () => {
    const cheap = (f: Facts) => f.price < 10;
    const ok = (u: number, pred: (f: Facts) => boolean) => facts.map((f) => f.j).filter((j) => pred(facts[j]!) && !hidden.has(j) && !seenBy(u).has(j));
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    expect(sorted(rows((await getJson(`${s.url}/v1/users/u2/recommendations?k=30&filter=cheap`)).body))).toEqual(ok(2, cheap));
    expect(sorted(rows((await post('/v1/users/u2/recommendations', { k: 30, filter: 'cheap', where: "brand = 'zed'" })).body))).toEqual(ok(2, (f) => cheap(f) && f.brand === 'zed'));
    const batch = await post('/v1/recommendations:batch', { userIds: ['u2', 'stranger'], k: 30, filter: 'comedies' });
    const comedy = (f: Facts) => f.categories.includes('Comedy');
    expect(sorted(rows(batch.body.results[0]))).toEqual(ok(2, comedy));
    expect(sorted(rows(batch.body.results[1]))).toEqual(ok(-1, comedy)); // unknown user: popularity, filtered
  });

  it("filters a fold-in user's list the same way (never an item of their events)", async () => {
    await post('/v1/events', [
      { eventId: 'r1', userId: 'newcomer', itemId: 'i6', type: 'click' },
      { eventId: 'r2', userId: 'newcomer', itemId: 'i8', type: 'like' },
    ]);
    let body: { source: string; items: { itemId: string }[] } = { source: '', items: [] };
    for (let i = 0; i < 300 && body.source !== 'foldin'; i++) {
      body = (await getJson(`${s.url}/v1/users/newcomer/recommendations?k=30&where=${encodeURIComponent('price < 15')}`)).body;
      if (body.source !== 'foldin') await new Promise((r) => setTimeout(r, 10));
    }
    expect(body.source).toBe('foldin');
    const want = facts.map((f) => f.j).filter((j) => j < 15 && !hidden.has(j) && j !== 6 && j !== 8);
    expect([...rows(body)].sort((a, b) => a - b)).toEqual(want);
  });

  it('answers bad filters with 400s that say what and where', async () => {
    const bad = async (q: string) => (await getJson(`${s.url}/v1/users/u0/recommendations?${q}`)).body;
    expect(await bad(`where=${encodeURIComponent('price < ')}`)).toMatchObject({
      status: 400,
      message: 'where: expected a value (a quoted string, a number, true or false) but found the end at position 9',
    });
    expect((await bad(`where=${encodeURIComponent("colour = 'red'")}`)).message).toMatch(
      /^where: unknown attribute "colour" \(no item has it\); fields: category, itemId, title, brand, new, price at position 1$/,
    );
    expect((await bad('filter=pricey')).message).toBe('unknown filter "pricey"; the server\'s filters: cheap, comedies');
    expect((await bad('where=')).message).toMatch(/where is empty/);
    expect((await bad(`where=${encodeURIComponent('category > 3')}`)).message).toMatch(/category compares with "in \(…\)", = or != only, not > at position 1/);
    await expect(startServer({ modelsDir: fixtureRegistry('v1').root, port: 0, logger: capturedLogger().log, loadMode: 'inline', filters: { broken: 'price <' } })).rejects.toThrow(
      /the filters option: filter "broken": expected a value .* at position 8/,
    );
  });
});

describe('exclude of any length and promotions (POST)', () => {
  it('leaves out every excluded item, however many', async () => {
    const exclude = [...Array.from({ length: 5000 }, (_, i) => `not-an-item-${i}`), 'i3', 'i5', 'i20'];
    const r = await post('/v1/users/u0/recommendations', { k: 30, exclude });
    expect(r.status).toBe(200);
    const got = rows(r.body);
    for (const j of [3, 5, 20, 9, 17, 0, 2, 4]) expect(got).not.toContain(j); // excluded, hidden, seen
    expect(got).toHaveLength(ITEMS - 3 - 2 - 3);
  });

  it('pins items into a slot range in the given order, never a seen one, and boosts by the user score', async () => {
    // u0 saw i0, i2, i4; its stored list is i1 i3 i5 i7 i9 i11 (i9 hidden)
    const pin = await post('/v1/users/u0/recommendations', { k: 6, promote: { items: ['i25', 'i2', 'i13'], from: 1, to: 3 } });
    expect(pin.status).toBe(200);
    expect(rows(pin.body)).toEqual([1, 25, 13, 3, 5, 7]);
    expect(pin.body.items.map((i: { origin?: string }) => i.origin ?? '')).toEqual(['', 'promoted', 'promoted', '', '', '']);
    const scores = pin.body.items.map((i: { score: number }) => i.score);
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]);
    // a page after the slots keeps the order (no item repeats across pages)
    const page2 = await post('/v1/users/u0/recommendations', { k: 3, offset: 3, promote: { items: ['i25', 'i2', 'i13'], from: 1, to: 3 } });
    expect(rows(page2.body)).toEqual([3, 5, 7]);
    // boost: the same items, ordered by the user's score; only 2 slots
    const boost = await post('/v1/users/u0/recommendations', { k: 4, promote: { items: ['i13', 'i25', 'i28'], from: 0, to: 1, mode: 'boost' } });
    const boosted = rows(boost.body).slice(0, 2);
    expect(boosted.every((j) => [13, 25, 28].includes(j))).toBe(true);
    // a promotion respects the request's filter
    const filtered = await post('/v1/users/u0/recommendations', { k: 3, where: 'price < 20', promote: { items: ['i25', 'i13'] } });
    expect(rows(filtered.body)[0]).toBe(13);
    expect(rows(filtered.body)).not.toContain(25);
    // an unknown user (fallback) gets the promotion too
    expect(rows((await post('/v1/users/stranger/recommendations', { k: 3, promote: { items: ['i28'], from: 0 } })).body)[0]).toBe(28);
  });

  it('refuses promoting a hidden or unknown item, and bad bodies, precisely', async () => {
    const bad = async (body: unknown) => (await post('/v1/users/u0/recommendations', body)).body;
    expect((await bad({ promote: { items: ['i1', 'i9'] } })).message).toBe('promote.items[1]: item "i9" is unavailable in the catalogue and cannot be promoted');
    expect((await bad({ promote: { items: ['i17'] } })).message).toBe('promote.items[0]: item "i17" is deleted in the catalogue and cannot be promoted');
    expect((await bad({ promote: { items: ['nope'] } })).message).toBe('promote.items[0]: item "nope" is not in the model');
    expect((await bad({ promote: { items: ['i1'], from: 4, to: 2 } })).message).toBe('promote.to (2) is before promote.from (4)');
    expect((await bad({ promote: { items: ['i1'], mode: 'shove' } })).message).toBe('promote.mode must be "pin" or "boost"');
    expect((await bad({ exclude: ['ok', 7] })).message).toBe('exclude[1] is not a string');
    expect((await bad({ colour: 1 })).message).toMatch(/^unknown field "colour"/);
  });
});
