// `--algorithm ease` end to end through the commands: train (evaluated beside the popularity
// baseline, the artifact lists its parts, each stored list is x_u·B's best unseen items), load
// into Redis, serve (precomputed list, similar items, fold-in), tune → best.json → train --params;
// and the refusals (another algorithm's flags, a catalog over --max-items naming --algorithm als).

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readArtifact } from '../../model/artifact.js';
import { LocalRegistry } from '../../model/registry.js';
import { startServer } from '../../serve/server.js';
import { capturedLogger, getJson } from '../../serve/testing/fixtures.js';
import { decodeList, redisKeys } from '../../store/redis-keys.js';
import { startRedis, type TestRedis } from '../../store/testing/redis-server.js';
import { UsageError } from '../command.js';
import { trainCommand } from './train.js';
import { tuneCommand } from './tune.js';
import { modelsCommand } from './models.js';
import { scoreShard } from '../../model/lifecycle/score.js';
import { loadEngine } from '../../engine/index.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.dispose();
});

function fixture(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'recs-algorithm-'));
  const file = join(dir, 'ratings.csv');
  const lines = ['user,item,rating,timestamp'];
  for (let u = 1; u <= 30; u++) for (let i = 1; i <= 20; i++) if ((u * 7 + i * 3) % 5 < 2 || (u % 4 === i % 4 && i < 12)) lines.push(`u${u},m${i},${1 + ((u + i) % 5)},${1_600_000_000 + u * 10 + i}`);
  writeFileSync(file, lines.join('\n') + '\n');
  return { dir, file };
}

async function run(cmd: { run(argv: string[]): Promise<number> }, argv: string[]): Promise<string[]> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    expect(await cmd.run(argv)).toBe(0);
    return log.mock.calls.map((c) => String(c[0]));
  } finally {
    log.mockRestore();
  }
}

describe('recs train --algorithm ease', () => {
  it('trains, evaluates beside popularity, loads into Redis and serves lists, similar items and fold-in', async () => {
    const f = fixture();
    const models = join(f.dir, 'models');
    vi.stubEnv('RECS_REDIS_URL', redis.url);
    vi.stubEnv('RECS_REDIS_PREFIX', 'easetest');
    let out: string[];
    try {
      out = await run(trainCommand, ['--algorithm', 'ease', '--regParam', '5', '--file', f.file, '--models-dir', models, '--depth', '5', '--quiet', '--load', 'redis']);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(out.join('\n')).toMatch(/ndcg@10 +\d\.\d{4} +\d\.\d{4}/); // model beside popularity
    const version = new LocalRegistry(models).activeVersion()!;
    const a = readArtifact(join(models, version));
    expect(a.manifest.algorithm).toBe('ease');
    expect(a.manifest.params).toMatchObject({ regParam: 5, maxItems: 10_000 });
    expect(a.parts).toEqual(['itemWeights', 'topk', 'popularity', 'history']);
    expect(a.rank).toBe(0);
    expect(a.manifest.metrics['ndcg@10']).toBeGreaterThan(0);
    expect((await run(modelsCommand, ['show', version, '--models-dir', models])).join('\n')).toMatch(/^model {5}ease: itemWeights, topk, popularity, history$/m);
    expect(a.manifest.baseline['ndcg@10']).toBeGreaterThan(0);
    const n = a.itemIds.length;
    const w = a.itemWeights!;
    // Every stored list is the best unseen items of x_u·B, B as written.
    for (let u = 0; u < a.userIds.length; u++) {
      const seen = a.history!.items.subarray(a.history!.offsets[u]!, a.history!.offsets[u + 1]!);
      const score = Array.from({ length: n }, (_, j) => [...seen].reduce((s, i) => s + w.weights[i * n + j]!, 0));
      const best = Array.from({ length: n }, (_, j) => j)
        .filter((j) => !seen.includes(j))
        .sort((x, y) => score[y]! - score[x]! || x - y)
        .slice(0, 5);
      for (let t = 0; t < best.length; t++) expect(a.topk.scores[u * 5 + t]).toBeCloseTo(score[best[t]!]!, 4);
    }
    const c = new Redis(redis.url);
    try {
      const keys = redisKeys('easetest');
      expect(await c.get(keys.active)).toBe(version);
      const list = decodeList(version, (await c.getBuffer(keys.user(version, a.userIds[0]!)))!);
      expect(Array.from(list.items)).toEqual(Array.from(a.topk.items.subarray(0, list.items.length)));
    } finally {
      c.disconnect();
    }

    // `recs score` beyond the stored depth ranks every item from B (x_u from the history).
    const h = a.history!;
    const exclude = {
      users: Uint32Array.from({ length: h.items.length }, (_, t) => {
        let u = 0;
        while (h.offsets[u + 1]! <= t) u++;
        return u;
      }),
      items: h.items,
    };
    const scored = await scoreShard(new LocalRegistry(models), { shard: 0, shards: 1, k: 8, out: join(f.dir, 'scores.jsonl'), deep: { engine: loadEngine(), exclude } });
    expect(scored.users).toBe(a.userIds.length);
    const first = JSON.parse(readFileSync(join(f.dir, 'scores.jsonl'), 'utf8').split('\n')[0]!) as { items: { itemId: string }[] };
    expect(first.items).toHaveLength(8);
    expect(first.items.slice(0, 5).map((i) => i.itemId)).toEqual(Array.from(a.topk.items.subarray(0, 5), (i) => a.itemIds[i]));

    const s = await startServer({ modelsDir: models, port: 0, logger: capturedLogger().log, loadMode: 'inline', eventsDb: join(f.dir, 'events.sqlite') });
    try {
      const r = await getJson(`${s.url}/v1/users/${a.userIds[0]}/recommendations?k=3`);
      expect(r.body).toMatchObject({ source: 'precomputed', modelVersion: version });
      expect(r.body.items.map((i: { itemId: string }) => i.itemId)).toEqual(Array.from(a.topk.items.subarray(0, 3), (i) => a.itemIds[i]));
      const sim = await getJson(`${s.url}/v1/items/m1/similar?k=3`);
      expect(sim.status).toBe(200);
      const col = a.itemIds.indexOf('m1');
      expect(sim.body.items[0].score).toBeCloseTo(Math.max(...Array.from({ length: n }, (_, i) => (i === col ? -Infinity : w.weights[i * n + col]!))), 5);
      await getJson(`${s.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ eventId: 'e1', userId: 'newbie', itemId: 'm2', type: 'click' }]),
      });
      let g: { body: any } = { body: {} };
      for (let i = 0; i < 400 && g.body.source !== 'foldin'; i++) {
        g = await getJson(`${s.url}/v1/users/newbie/recommendations?k=3`);
        if (g.body.source !== 'foldin') await new Promise((res) => setTimeout(res, 5));
      }
      expect(g.body.source).toBe('foldin');
      const row = a.itemIds.indexOf('m2');
      const expected = Array.from({ length: n }, (_, j) => j)
        .filter((j) => j !== row)
        .sort((x, y) => w.weights[row * n + y]! - w.weights[row * n + x]! || x - y);
      expect(g.body.items[0]).toMatchObject({ itemId: a.itemIds[expected[0]!] });
      expect(g.body.items[0].score).toBeCloseTo(w.weights[row * n + expected[0]!]!, 5);
    } finally {
      await s.close();
    }
  });

  it('tune --algorithm ease writes best.json that train --params reads', async () => {
    const f = fixture();
    const best = join(f.dir, 'best.json');
    await run(tuneCommand, ['--algorithm', 'ease', '--search', 'grid', '--file', f.file, '--out', best, '--quiet']);
    const file = JSON.parse(readFileSync(best, 'utf8')) as { algorithm: string; params: { regParam: number } };
    expect(file.algorithm).toBe('ease');
    expect([10, 50, 100, 250, 500, 1000, 2500]).toContain(file.params.regParam);
    const models = join(f.dir, 'models');
    await run(trainCommand, ['--params', best, '--file', f.file, '--models-dir', models, '--quiet', '--no-evaluate']);
    const m = readArtifact(join(models, new LocalRegistry(models).activeVersion()!)).manifest;
    expect(m.algorithm).toBe('ease');
    expect(m.params.regParam).toBe(file.params.regParam);
  });

  it("refuses another algorithm's flags and a catalog over --max-items, naming the way out", async () => {
    const f = fixture();
    await expect(trainCommand.run(['--algorithm', 'ease', '--rank', '4', '--file', f.file])).rejects.toThrow(/--rank is not a parameter of --algorithm ease; it takes --reg-param, --max-items/);
    await expect(trainCommand.run(['--max-items', '4', '--file', f.file])).rejects.toThrow(/--max-items is not an ALS parameter; it goes with --algorithm ease/);
    await expect(trainCommand.run(['--algorithm', 'bpr'])).rejects.toBeInstanceOf(UsageError);
    await expect(trainCommand.run(['--algorithm', 'ease', '--auto'])).rejects.toThrow(/--auto searches ALS parameters/);
    await expect(trainCommand.run(['--algorithm', 'ease', '--max-items', '5', '--file', f.file, '--models-dir', join(f.dir, 'm'), '--quiet'])).rejects.toThrow(
      /20 items is more than --max-items 5; use --algorithm als/,
    );
    expect(trainCommand.help).toMatch(/--algorithm NAME +als: [\s\S]*?\n +ease: /);
    expect(trainCommand.help).toMatch(/--max-items N +ease: /);
  });
});
