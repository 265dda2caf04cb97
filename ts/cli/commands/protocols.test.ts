// The "done when" list of issue 19, run as a new user runs it: files as delivered, a given
// train/test pair with full ranking at k = 20, evaluate on score's own output, graded NDCG.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ndcgAtK, type PredictionData } from '../../eval/index.js';
import { readArtifact } from '../../model/artifact.js';
import { LocalRegistry } from '../../model/registry.js';
import { main } from '../run.js';
import { trainOptionsOf } from './train-options.js';
import { capture } from '../testing.js';

afterEach(() => vi.restoreAllMocks());

const LASTFM = new URL('../../../../shared/datasets/lastfm-hetrec2011-2k/user_artists.dat', import.meta.url).pathname;
const tmp = () => mkdtempSync(join(tmpdir(), 'recs-protocols-'));

/** A tab-separated train file with a header and CRLF, and a test file in another layout (CSV). */
function pair(dir: string): { train: string; test: string; trainRows: Array<[string, string]> } {
  const trainRows: Array<[string, string]> = [];
  const testRows: string[] = [];
  for (let u = 0; u < 40; u++) {
    for (let i = 0; i < 60; i++) {
      const h = (u * 31 + i * 17) % 11;
      if ((u % 4) * 15 <= i && i < (u % 4) * 15 + 20 && h < 7) h < 5 ? trainRows.push([`user ${u}`, `item-${i}`]) : testRows.push(`"user ${u}",item-${i},1`);
    }
  }
  const train = join(dir, 'train.dat');
  writeFileSync(train, `user\titem\r\n${trainRows.map(([u, i]) => `${u}\t${i}`).join('\r\n')}\r\n`);
  const test = join(dir, 'test.csv');
  writeFileSync(test, `${testRows.join('\n')}\n`);
  return { train, test, trainRows };
}

describe('issue 19: any data as delivered, any protocol', () => {
  it.skipIf(!existsSync(LASTFM))(
    `train --file …/user_artists.dat as delivered${existsSync(LASTFM) ? '' : ' (SKIPPED: ../shared/datasets/lastfm-hetrec2011-2k absent)'}`,
    async () => {
      const models = join(tmp(), 'models');
      const c = capture();
      expect(await main(['train', '--file', LASTFM, '--confidence', 'log', '--rank', '32', '--maxIter', '8', '--beyond', 'none', '--models-dir', models, '--json'])).toBe(0);
      const m = JSON.parse(c.out()) as { data: { users: number; items: number; interactions: number; columns: string }; metrics: Record<string, number>; baseline: Record<string, number> };
      expect([m.data.users, m.data.items, m.data.interactions]).toEqual([1892, 17632, 92834]);
      expect(m.data.columns).toBe('user=userID (1), item=artistID (2), rating=weight (3)');
      expect(m.metrics['ndcg@10']).toBeGreaterThan(m.baseline['ndcg@10']!);
    },
    120_000,
  );

  it('train --train-file A --test-file B: full ranking at k = 20, equal to a brute-force ranking of every unseen item', async () => {
    const dir = tmp();
    const f = pair(dir);
    const models = join(dir, 'models');
    const c = capture();
    expect(
      await main(['train', '--train-file', f.train, '--test-file', f.test, '--k', '20', '--rank', '6', '--maxIter', '5', '--no-refit', '--beyond', 'none', '--models-dir', models, '--json']),
    ).toBe(0);
    const m = JSON.parse(c.out()) as { data: { split: Record<string, unknown> }; metrics: Record<string, number> };
    expect(m.data.split).toMatchObject({ method: 'given files', trainFile: f.train, testFile: f.test, train: f.trainRows.length });
    // Independent check: score every item for every test user from the served factors (fitted on A
    // alone, --no-refit), drop the user's training items, and compute NDCG@20 from that.
    const a = readArtifact(join(models, new LocalRegistry(models).activeVersion()!));
    const uIdx = new Map(a.userIds.map((id, k) => [id, k]));
    const iIdx = new Map(a.itemIds.map((id, k) => [id, k]));
    const seen = new Set(f.trainRows.map(([u, i]) => `${uIdx.get(u)},${iIdx.get(i)}`));
    const truthRows = execFileSync('cat', [f.test])
      .toString()
      .trim()
      .split('\n')
      .map((l) => /^"(.*)",(.*),1$/.exec(l)!.slice(1, 3) as [string, string]);
    const truth = { users: Uint32Array.from(truthRows, ([u]) => uIdx.get(u)!), items: Uint32Array.from(truthRows, ([, i]) => iIdx.get(i)!) };
    const users: number[] = [];
    const items: number[] = [];
    const scores: number[] = [];
    for (const u of new Set(truth.users)) {
      for (let i = 0; i < a.itemIds.length; i++) {
        if (seen.has(`${u},${i}`)) continue;
        let s = 0;
        for (let f2 = 0; f2 < a.rank; f2++) s += a.userFactors[u * a.rank + f2]! * a.itemFactors[i * a.rank + f2]!;
        users.push(u);
        items.push(i);
        scores.push(s);
      }
    }
    const preds: PredictionData = { users: Uint32Array.from(users), items: Uint32Array.from(items), scores: Float32Array.from(scores) };
    expect(m.metrics['ndcg@20']).toBeCloseTo(ndcgAtK(truth, preds, 20), 4);
  });

  it('the published "user item item …" layout converts with the documented one-liner', async () => {
    const dir = tmp();
    const lists = join(dir, 'train.txt');
    writeFileSync(lists, '0 1 2 3\n1 2 3 4 5\n2 1 5\n');
    const out = execFileSync('awk', ['{for(i=2;i<=NF;i++) print $1"\t"$i}', lists]).toString();
    expect(out).toBe('0\t1\n0\t2\n0\t3\n1\t2\n1\t3\n1\t4\n1\t5\n2\t1\n2\t5\n');
  });

  it('evaluate reads score output directly; with --metrics all the rating metrics are reported as not computable', async () => {
    const dir = tmp();
    const f = pair(dir);
    const models = join(dir, 'models');
    const c = capture();
    expect(await main(['train', '--file', f.train, '--rank', '6', '--maxIter', '3', '--no-evaluate', '--depth', '10', '--models-dir', models, '--quiet'])).toBe(0);
    const scores = join(dir, 'scores.jsonl');
    expect(await main(['score', '--k', '25', '--exclude', f.train, '--out', scores, '--models-dir', models])).toBe(0);
    const first = JSON.parse(execFileSync('head', ['-n', '1', scores]).toString()) as { userId: string; items: Array<{ itemId: string; score: number }> };
    expect(first.items).toHaveLength(25); // beyond the stored depth of 10: ranked from the factors
    expect(first.items.every((x) => typeof x.itemId === 'string' && typeof x.score === 'number')).toBe(true);
    c.clear();
    expect(await main(['evaluate', '--truth', f.test, '--predictions', scores, '--train', f.train, '--k', '20', '--json'])).toBe(0);
    const m = JSON.parse(c.out()) as Record<string, unknown>;
    expect(m.k).toBe(20);
    expect(m.ndcg_at_k).toBeGreaterThan(0);
    expect(typeof m.rmse).toBe('number'); // some listed pairs are test pairs
    // Truth that shares no pair with the lists (the training rows, which the lists leave out).
    c.clear();
    expect(await main(['evaluate', '--truth', f.train, '--predictions', scores, '--k', '20', '--json']), c.err()).toBe(0);
    const none = JSON.parse(c.out()) as Record<string, unknown>;
    expect(none.precision_at_k).toBe(0);
    expect(none.rmse).toBeNull();
    expect(String(none.notes)).toMatch(/rating metrics not computable: no \(user, item\) pair is in both/);
    c.clear();
    expect(await main(['score', '--k', '25', '--out', scores, '--models-dir', models])).toBe(1);
    expect(c.err()).toMatch(/k 25 exceeds the 10 recommendations stored per user .*pass --exclude/);
  });

  it("graded NDCG equals Recommenders' 0.785 on the Wikipedia example", async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'truth.tsv'), ['user\titem\trating', ...[3, 2, 3, 0, 1, 2, 3, 2].map((r, i) => `u\td${i + 1}\t${r}`)].join('\n') + '\n');
    writeFileSync(join(dir, 'pred.csv'), [6, 5, 4, 3, 2, 1].map((s, i) => `u,d${i + 1},${s}`).join('\n') + '\n');
    const ndcg = async (...extra: string[]): Promise<number> => {
      const c = capture();
      expect(await main(['evaluate', '--truth', join(dir, 'truth.tsv'), '--predictions', join(dir, 'pred.csv'), '--k', '6', '--metrics', 'ranking', '--json', ...extra])).toBe(0);
      vi.restoreAllMocks();
      return (JSON.parse(c.out()) as { ndcg_at_k: number }).ndcg_at_k;
    };
    expect(await ndcg('--score-type', 'raw', '--log-base', '2')).toBeCloseTo(0.785, 3);
    expect(await ndcg('--score-type', 'raw', '--log-base', 'e')).toBeCloseTo(0.785, 3);
    expect(await ndcg()).toBe(1); // binary: every recommended item is relevant
  });

  it('--explicit has its own defaults; the default split is the README protocol (stratified by item)', () => {
    const d = trainOptionsOf([]);
    expect(d.split).toMatchObject({ method: 'stratified', by: 'item', ratio: 0.75, seed: 42 });
    const e = trainOptionsOf(['--explicit']);
    expect(e.als).toMatchObject({ implicitPrefs: false, rank: 10, maxIter: 30, regParam: 0.1139, solver: 'cholesky', seed: 42 });
    expect(e.split).toMatchObject({ method: 'random', ratio: 0.75, seed: 42 });
    expect(trainOptionsOf(['--explicit', '--rank', '20', '--split', 'stratified'])).toMatchObject({ als: { rank: 20, maxIter: 30 }, split: { method: 'stratified' } });
  });

  it('empty ratings: implicit counts them as one interaction, --explicit refuses them and says how many', async () => {
    const dir = tmp();
    const file = join(dir, 'r.csv');
    const rows = ['userId,movieId,rating,timestamp'];
    for (let u = 0; u < 12; u++) for (let i = 0; i < 10; i++) if ((u + i) % 3 !== 0) rows.push(`${u},${i},${(u * i) % 7 === 0 ? '' : 1 + ((u + i) % 5)},${(u * i) % 4 === 0 ? '' : 1000 + i}`);
    writeFileSync(file, rows.join('\n') + '\n');
    const models = join(dir, 'models');
    const c = capture();
    expect(await main(['train', '--file', file, '--rank', '4', '--maxIter', '2', '--beyond', 'none', '--models-dir', models, '--json'])).toBe(0);
    const m = JSON.parse(c.out()) as { data: { emptyRatingsCountedAsOne: number } };
    expect(m.data.emptyRatingsCountedAsOne).toBeGreaterThan(0);
    c.clear();
    expect(await main(['train', '--file', file, '--explicit', '--models-dir', models, '--quiet'])).toBe(1);
    expect(c.err()).toMatch(/\d+ of \d+ rows of .*r\.csv have an empty rating; explicit ALS \(--explicit\) needs a rating on every row/);
    c.clear();
    expect(await main(['train', '--file', file, '--split', 'chrono', '--models-dir', models, '--quiet'])).toBe(1);
    expect(c.err()).toMatch(/a chronological split needs a timestamp on every row; \d+ of \d+ rows have none/);
  });

  it('tune --train-file A --test-file B carves its validation from A; B is never scored', async () => {
    const dir = tmp();
    const f = pair(dir);
    const out = join(dir, 'best.json');
    const c = capture();
    const argv = ['tune', '--train-file', f.train, '--test-file', f.test, '--trials', '2', '--concurrency', '1', '--probe-iterations', '0', '--out', out, '--json'];
    expect(await main(argv), c.err()).toBe(0);
    const r = JSON.parse(c.out()) as { best: { protocol: Record<string, unknown> }; results: unknown[] };
    expect(r.results).toHaveLength(2);
    // The same run with a different test file gives the same validation scores.
    writeFileSync(f.test, '"user 0",item-59,1\n');
    c.clear();
    expect(await main(argv)).toBe(0);
    expect((JSON.parse(c.out()) as { results: unknown[] }).results).toEqual(r.results.map((x) => ({ ...(x as object), seconds: expect.any(Number) })));
  });

  it('--relevance-col weights serendipity as Recommenders does', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'train.csv'), 'u,i\n1,a\n1,b\n2,a\n2,c\n3,b\n3,c\n');
    writeFileSync(join(dir, 'truth.csv'), 'u,i,r\n1,c,1\n2,b,1\n3,a,1\n');
    writeFileSync(join(dir, 'pred.csv'), 'u,i,p,rel\n1,c,0.9,1\n2,b,0.8,0\n3,a,0.7,1\n');
    const run = async (...extra: string[]): Promise<number> => {
      const c = capture();
      expect(
        await main(['evaluate', '--truth', join(dir, 'truth.csv'), '--predictions', join(dir, 'pred.csv'), '--train', join(dir, 'train.csv'), '--k', '1', '--metrics', 'ranking', '--json', ...extra]),
      ).toBe(0);
      vi.restoreAllMocks();
      return (JSON.parse(c.out()) as { serendipity: number }).serendipity;
    };
    const plain = await run();
    const weighted = await run('--relevance-col', 'rel');
    expect(weighted).toBeCloseTo((plain * 2) / 3, 6); // every user's value is alike here; one of three weighted 0
    expect(await run('--relevance-col', '4')).toBeCloseTo(weighted, 12);
  });
});
