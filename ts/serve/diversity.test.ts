// The diversity re-rank against a brute-force MMR written from its definition, on a real server:
// at diversity 0 the plain list, at 1 each next item the one least similar to those taken, the
// category cap holds, pages are slices of one order, and bad values are 400s.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, fixtureRegistry, getJson, GENRES } from './testing/fixtures.js';

const ITEMS = 30;
let s: RunningServer;
beforeAll(async () => {
  s = await startServer({ modelsDir: fixtureRegistry('v1').root, port: 0, logger: capturedLogger().log, loadMode: 'inline' });
});
afterAll(async () => {
  await s?.close();
});
const get = async (q: string) => (await getJson(`${s.url}/v1/users/u0/recommendations?${q}`)).body;
const rows = (body: { items: { itemId: string }[] }) => body.items.map((i) => Number(i.itemId.slice(1)));
const unit = (j: number) => {
  const v = [Math.cos((j / ITEMS) * Math.PI), Math.sin((j / ITEMS) * Math.PI), 0, 1];
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const cos = (a: number, b: number) => unit(a).reduce((s, x, i) => s + x * unit(b)[i]!, 0);
const categories = (j: number) => (j === 0 ? ['comedy', 'drama'] : [GENRES[j % 3]!.toLowerCase()]);

/** MMR from its definition over the plain answer's first `pool` items (scores in list order). */
function mmr(pool: number[], scores: number[], lambda: number, want: number, cap: number): number[] {
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  const rel = (i: number) => (hi > lo ? (scores[i]! - lo) / (hi - lo) : 1 - i / pool.length);
  const taken: number[] = [];
  const left = pool.map((_, i) => i);
  while (taken.length < want) {
    const ok = left.filter((i) => cap === 0 || categories(pool[i]!).every((c) => taken.filter((t) => categories(pool[t]!).includes(c)).length < cap));
    if (ok.length === 0) break;
    const value = (i: number) => (1 - lambda) * rel(i) - lambda * Math.max(0, ...taken.map((t) => cos(pool[i]!, pool[t]!)));
    const best = ok.reduce((b, i) => (value(i) > value(b) ? i : b));
    taken.push(best);
    left.splice(left.indexOf(best), 1);
  }
  return taken.map((i) => pool[i]!);
}

describe('diversity re-rank', () => {
  it('matches brute-force MMR at every diversity, with and without a category cap', async () => {
    const plain = await get('k=30');
    const pool = rows(plain);
    const scores = plain.items.map((i: { score: number }) => i.score);
    expect((await get('k=5&diversity=0')).items.map((i: { itemId: string }) => i.itemId)).toEqual(plain.items.slice(0, 5).map((i: { itemId: string }) => i.itemId));
    for (const d of [0.3, 0.7, 0.95])
      for (const cap of [0, 2]) {
        const got = rows(await get(`k=5&diversity=${d}${cap ? `&maxPerCategory=${cap}` : ''}`));
        expect(got, `diversity ${d}, cap ${cap}`).toEqual(mmr(pool.slice(0, 15), scores.slice(0, 15), d, 5, cap));
      }
    const capped = rows(await get('k=6&maxPerCategory=1'));
    expect(capped.length).toBe(3 + 0); // three categories, one item each (item 0 has two)
  });

  it('pages are slices of one re-ranked order, scores never rise, and bad values are 400s', async () => {
    const whole = rows(await get('k=6&diversity=0.5'));
    const p1 = rows(await get('k=3&diversity=0.5'));
    expect(p1).toEqual(
      mmr(
        rows(await get('k=9')),
        (await get('k=9')).items.map((i: { score: number }) => i.score),
        0.5,
        3,
        0,
      ),
    );
    expect(whole.length).toBe(6);
    const body = await get('k=10&diversity=0.8');
    const sc = body.items.map((i: { score: number }) => i.score);
    for (let i = 1; i < sc.length; i++) expect(sc[i]).toBeLessThanOrEqual(sc[i - 1]);
    expect((await get('diversity=2')).message).toBe('diversity must be a number from 0 to 1, got "2"');
    expect((await get('maxPerCategory=-1')).message).toMatch(/^maxPerCategory must be a whole number/);
  });
});
