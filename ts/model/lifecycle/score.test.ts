import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFixture } from '../../serve/testing/fixtures.js';
import { main } from '../../cli/run.js';
import { loadEngine } from '../../engine/index.js';
import { weightsTopK } from '../algorithms/item-weights.js';
import { readArtifact } from '../artifact.js';
import { LocalRegistry } from '../registry.js';
import { scoreShard, shardRange } from './score.js';
import { corrupt } from './testing.js';

afterEach(() => vi.restoreAllMocks());

type Line = { userId: string; modelVersion: string; items: Array<{ itemId: string; score: number }> };
const lines = (p: string) =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

describe('sharded batch scoring', () => {
  it('splits users into contiguous disjoint shards covering everyone', () => {
    expect([0, 1, 2].map((i) => shardRange(10, i, 3))).toEqual([
      [0, 3],
      [3, 6],
      [6, 10],
    ]);
    expect(shardRange(2, 2, 4)).toEqual([1, 1]);
    expect(() => shardRange(10, 3, 3)).toThrow(/shard must be a whole number in 0…2/);
  });

  it('writes each shard’s top-k; together the shards hold every user once', async () => {
    const reg = new LocalRegistry(mkdtempSync(join(tmpdir(), 'score-')));
    writeFixture(reg, 'v1', { users: 20, depth: 6 });
    reg.promote('v1');
    const out = mkdtempSync(join(tmpdir(), 'score-out-'));
    const users: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await scoreShard(reg, { shard: i, shards: 3, k: 4, out: join(out, `s${i}.jsonl`) });
      const ls = lines(r.out);
      expect(ls).toHaveLength(r.users);
      users.push(...ls.map((l) => l.userId));
    }
    expect(users).toEqual(Array.from({ length: 20 }, (_, u) => `u${u}`));
    const first = lines(join(out, 's0.jsonl'))[0]!;
    // Fixture: user u's list is items (u + 1 + 2s) % 30 with scores 1 - s/100.
    expect(first).toMatchObject({ userId: 'u0', modelVersion: 'v1' });
    expect(first.items.map((x) => x.itemId)).toEqual(['i1', 'i3', 'i5', 'i7']);
    expect(first.items[1]!.score).toBeCloseTo(0.99, 6);
    expect(lines(join(out, 's2.jsonl')).at(-1)!.items).toHaveLength(2); // the last user has 2 entries
    await expect(scoreShard(reg, { shard: 0, shards: 1, k: 7, out: join(out, 'x') })).rejects.toThrow(/k 7 exceeds the 6 recommendations stored per user in v1; pass --exclude/);
    corrupt(reg, 'v1', 'topk-items.u32');
    await expect(scoreShard(reg, { shard: 0, shards: 1, k: 2, out: join(out, 'x') })).rejects.toThrow(/checksum mismatch/);
  });

  it.each(['factors', 'weights'] as const)('every shard count gives, byte for byte, the whole-artifact reference (stored table and ranked from the %s)', async (part) => {
    const reg = new LocalRegistry(mkdtempSync(join(tmpdir(), 'score-')));
    writeFixture(reg, 'v1', { users: 13, depth: 5, part });
    const whole = readArtifact(reg.versionDir('v1'));
    const engine = loadEngine();
    const exclude = { users: Uint32Array.of(0, 0, 4, 12, 7), items: Uint32Array.of(3, 5, 1, 2, 29) };
    const everyone = Uint32Array.from({ length: 13 }, (_, u) => u);
    const deep = part === 'factors' ? await engine.topK(whole, { k: 8, users: everyone, exclude }) : await weightsTopK(whole.itemWeights!, whole.history!, { k: 8, users: everyone, exclude });
    // the path before ranged reads: the whole artifact, every line formatted from it
    const reference = (k: number, t: { depth: number; items: Uint32Array; scores: Float32Array }) =>
      whole.userIds
        .map((userId, u) => {
          const items: Array<{ itemId: string; score: number }> = [];
          for (let j = 0; j < k && t.items[u * t.depth + j] !== 0xffffffff; j++) items.push({ itemId: whole.itemIds[t.items[u * t.depth + j]!]!, score: t.scores[u * t.depth + j]! });
          return JSON.stringify({ userId, modelVersion: 'v1', items }) + '\n';
        })
        .join('');
    const out = mkdtempSync(join(tmpdir(), 'score-out-'));
    for (const [k, table, withDeep] of [
      [4, whole.topk, false],
      [8, { depth: 8, items: deep.items, scores: deep.scores }, true],
    ] as const) {
      for (let shards = 1; shards <= 15; shards++) {
        let text = '';
        for (let i = 0; i < shards; i++) {
          const r = await scoreShard(reg, { version: 'v1', shard: i, shards, k, out: join(out, `${k}-${i}-of-${shards}.jsonl`), ...(withDeep && { deep: { engine, exclude } }) });
          text += readFileSync(r.out, 'utf8');
        }
        expect(text, `k ${k}, ${shards} shards`).toBe(reference(k, table));
      }
    }
  });

  it('recs score writes a shard and rejects bad shard numbers', async () => {
    const reg = new LocalRegistry(mkdtempSync(join(tmpdir(), 'score-')));
    writeFixture(reg, 'v1', { users: 10 });
    reg.promote('v1');
    const out = join(mkdtempSync(join(tmpdir(), 'score-out-')), 'nested', 'shard.jsonl');
    const log: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void log.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['score', '--shard', '1', '--shards', '2', '--k', '3', '--out', out, '--models-dir', reg.root])).toBe(0);
    expect(log.at(-1)).toBe(`scored 5 users (5…9) with v1, shard 1 of 2 → ${out}`);
    expect(lines(out).map((l) => l.userId)).toEqual(['u5', 'u6', 'u7', 'u8', 'u9']);
    expect(await main(['score', '--shard', '2', '--shards', '2', '--models-dir', reg.root])).toBe(2);
    // Without --shards: one shard, every user.
    const all = join(dirname(out), 'all.jsonl');
    expect(await main(['score', '--k', '2', '--out', all, '--models-dir', reg.root])).toBe(0);
    expect(lines(all)).toHaveLength(10);
  });
});
