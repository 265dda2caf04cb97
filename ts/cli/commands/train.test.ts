// Tests `recs train --events` and `--load redis` end to end through the command (a real
// redis-server for the load).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqliteEventStore } from '../../events/sqlite.js';
import { readArtifact } from '../../model/artifact.js';
import { LocalRegistry } from '../../model/registry.js';
import { decodeList, redisKeys } from '../../store/redis-keys.js';
import { startRedis, type TestRedis } from '../../store/testing/redis-server.js';
import { UsageError } from '../command.js';
import { trainCommand } from './train.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.dispose();
});

function fixture(): { dir: string; file: string; events: string } {
  const dir = mkdtempSync(join(tmpdir(), 'recs-train-cli-'));
  const file = join(dir, 'ratings.csv');
  const lines = ['user,item,rating,timestamp'];
  for (let u = 1; u <= 15; u++) for (let i = 1; i <= 12; i++) if ((u * 5 + i * 3) % 4 !== 0) lines.push(`u${u},m${i},${1 + ((u + i) % 5)},${1_600_000_000 + u * 10 + i}`);
  writeFileSync(file, lines.join('\n') + '\n');
  return { dir, file, events: join(dir, 'events.sqlite') };
}

const quick = ['--rank', '4', '--maxIter', '2', '--no-evaluate', '--depth', '5', '--quiet'];

async function run(argv: string[]): Promise<string[]> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    expect(await trainCommand.run(argv)).toBe(0);
    return log.mock.calls.map((c) => String(c[0]));
  } finally {
    log.mockRestore();
  }
}

describe('recs train --events / --load', () => {
  it('--events: the new user is trained, the erased user left out', async () => {
    const f = fixture();
    const s = new SqliteEventStore(f.events);
    const t = Date.now() - 60_000;
    await s.append([
      { eventId: 'e1', userId: 'newcomer', itemId: 'm1', type: 'click', value: 1, timestamp: t, receivedAt: t },
      { eventId: 'e2', userId: 'newcomer', itemId: 'm2', type: 'rating', value: 5, timestamp: t, receivedAt: t },
      { eventId: 'e3', userId: 'u2', itemId: 'm3', type: 'like', value: 2, timestamp: t, receivedAt: t },
    ]);
    await s.deleteUser('u2');
    await s.close();
    const models = join(f.dir, 'models');
    const out = await run(['--file', f.file, '--events', f.events, '--models-dir', models, ...quick]);
    expect(out.join('\n')).toMatch(/15 users/); // 15 base users − u2 + newcomer
    const a = readArtifact(join(models, new LocalRegistry(models).activeVersion()!));
    expect(a.userIds).toContain('newcomer');
    expect(a.userIds).not.toContain('u2');
    expect(a.manifest.data.events).toMatchObject({ rows: 2, newUsers: 1, erasedUsersExcluded: 1 });
  });

  it('--events: a stored row no model can use (from an older version) is skipped, counted and named', async () => {
    const f = fixture();
    const s = new SqliteEventStore(f.events);
    const t = Date.now() - 60_000;
    const ev = (eventId: string, userId: string, value: number) => ({ eventId, userId, itemId: 'm1', type: 'rating' as const, value, timestamp: t, receivedAt: t });
    await s.append([ev('ok1', 'fine', 4), ev('huge', 'bad1', 1e39), ev('inf', 'bad2', Infinity), ev('ok2', 'fine2', 3)]);
    await s.close();
    const models = join(f.dir, 'models');
    const out = (await run(['--file', f.file, '--events', f.events, '--models-dir', models, ...quick])).join('\n');
    expect(out).toMatch(/skipped {3}2 unusable stored event\(s\), e\.g\. huge \(user bad1, value: 1e\+39 is beyond ±1000000\); inf \(user bad2, value: Infinity is not a finite number\)/);
    const a = readArtifact(join(models, new LocalRegistry(models).activeVersion()!));
    expect(a.userIds).toEqual(expect.arrayContaining(['fine', 'fine2']));
    expect(a.userIds).not.toContain('bad1');
    expect(a.manifest.data.events).toMatchObject({
      events: 4,
      rows: 2,
      skippedRows: 2,
      skipped: [
        { eventId: 'huge', userId: 'bad1', field: 'value' },
        { eventId: 'inf', userId: 'bad2', field: 'value' },
      ],
    });
  });

  it("--load redis: the store holds the new version's lists and the line reports users/s", async () => {
    const f = fixture();
    const models = join(f.dir, 'models');
    vi.stubEnv('RECS_REDIS_URL', redis.url);
    vi.stubEnv('RECS_REDIS_PREFIX', 'traintest');
    try {
      const out = await run(['--file', f.file, '--models-dir', models, '--load', 'redis', ...quick]);
      const version = new LocalRegistry(models).activeVersion()!;
      expect(out.at(-1)).toMatch(new RegExp(`^loaded {4}${version} into redis: 15 users in [\\d.]+ s, \\d+ users/s; active version ${version}$`));
      const a = readArtifact(join(models, version));
      const keys = redisKeys('traintest');
      const c = new Redis(redis.url);
      try {
        expect(await c.get(keys.active)).toBe(version);
        for (const [row, user] of a.userIds.entries()) {
          const buf = await c.getBuffer(keys.user(version, user));
          expect(buf).not.toBeNull();
          const list = decodeList(version, buf!);
          expect(Array.from(list.items).slice(0, 1)).toEqual([a.topk.items[row * 5]]);
        }
      } finally {
        c.disconnect();
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses contradictory or bad options', async () => {
    await expect(trainCommand.run(['--load', 'mongo'])).rejects.toBeInstanceOf(UsageError);
    await expect(trainCommand.run(['--load', 'redis', '--no-activate'])).rejects.toBeInstanceOf(UsageError);
    await expect(trainCommand.run(['--events', '/nonexistent/events.sqlite'])).rejects.toBeInstanceOf(UsageError);
    expect(trainCommand.help).toMatch(/--events PATH/);
    expect(trainCommand.help).toMatch(/--load redis\|cosmos/);
  });
});
