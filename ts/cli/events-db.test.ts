// Where `serve`, `train` and `retrain` find the event store: --events-db PATH, else RECS_EVENTS_DB,
// else each command's default. `serve` runs as a child process (the compiled entry) and an event
// posted to it must land in the chosen file; `train` and `retrain` must record the merged store in
// the new version's manifest (data.events.store).

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqliteEventStore } from '../events/sqlite.js';
import { LocalRegistry } from '../model/registry.js';
import { ensureBuilt } from '../serve/testing/build.js';
import { killServerChildren, startServerChild } from '../serve/testing/child.js';
import { fixtureRegistry, getJson } from '../serve/testing/fixtures.js';
import { UsageError } from './command.js';
import { retrainCommand } from './commands/retrain.js';
import { serveCommand } from './commands/serve.js';
import { trainCommand } from './commands/train.js';
import { EVENTS_DB_ENV } from './events-db.js';

let serveJs: string;
beforeAll(() => {
  [serveJs] = ensureBuilt(['ts/serve/main.js', 'ts/serve/load-worker.js']) as [string];
}, 120_000);
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  killServerChildren();
});

/** The compiled server on `modelsDir` with `args` and extra environment (RECS_EVENTS_DB unset unless given); resolves with its URL. */
async function serve(modelsDir: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const base = { ...process.env };
  delete base[EVENTS_DB_ENV];
  return (await startServerChild(serveJs, ['--models-dir', modelsDir, '--port', '0', ...args], { env: { ...base, ...env } })).url;
}

async function storedEvents(path: string, user: string): Promise<string[]> {
  const s = new SqliteEventStore(path);
  try {
    return (await s.forUser(user)).map((e) => e.eventId);
  } finally {
    await s.close();
  }
}

const post = (url: string, eventId: string) =>
  getJson(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ eventId, userId: 'newcomer', itemId: 'i3', type: 'click' }) });

describe('recs serve --events-db', () => {
  it('stores posted events in --events-db, else in $RECS_EVENTS_DB, never in the default file', async () => {
    const registry = fixtureRegistry('v1');
    const dir = mkdtempSync(join(tmpdir(), 'events-db-'));
    const byFlag = join(dir, 'flag', 'events.sqlite');
    const byEnv = join(dir, 'env.sqlite');
    const url1 = await serve(registry.root, ['--events-db', byFlag], { [EVENTS_DB_ENV]: byEnv });
    expect((await post(url1, 'by-flag')).status).toBe(202);
    killServerChildren();
    const url2 = await serve(registry.root, [], { [EVENTS_DB_ENV]: byEnv });
    expect((await post(url2, 'by-env')).status).toBe(202);
    killServerChildren();

    expect(await storedEvents(byFlag, 'newcomer')).toEqual(['by-flag']);
    expect(await storedEvents(byEnv, 'newcomer')).toEqual(['by-env']);
    expect(existsSync(join(registry.root, '..', 'events.sqlite'))).toBe(false);
  }, 30_000);

  it('documents the flag and refuses an empty path', async () => {
    expect(serveCommand.help).toMatch(/--events-db PATH[\s\S]*\$RECS_EVENTS_DB, else <models-dir>\/\.\.\/events\.sqlite/);
    await expect(serveCommand.run(['--events-db', ''])).rejects.toThrow(/--events-db needs the path/);
  });
});

/** A small ratings file and, beside it, an event store with one new user. */
async function data(): Promise<{ dir: string; file: string; events: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'events-db-train-'));
  const file = join(dir, 'ratings.csv');
  const lines = ['user,item,rating,timestamp'];
  for (let u = 1; u <= 30; u++) for (let i = 1; i <= 20; i++) if ((u * 5 + i * 3) % 4 !== 0) lines.push(`u${u},m${i},${1 + ((u + i) % 5)},${1_600_000_000 + u * 10 + i}`);
  writeFileSync(file, lines.join('\n') + '\n');
  const events = join(dir, 'events.sqlite');
  const s = new SqliteEventStore(events);
  const t = Date.now() - 60_000;
  await s.append([
    { eventId: 'e1', userId: 'newcomer', itemId: 'm1', type: 'click', value: 1, timestamp: t, receivedAt: t },
    { eventId: 'e2', userId: 'newcomer', itemId: 'm2', type: 'rating', value: 5, timestamp: t, receivedAt: t },
  ]);
  await s.close();
  return { dir, file, events };
}

async function run(cmd: typeof trainCommand, argv: string[]): Promise<string> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  expect(await cmd.run(argv)).toBe(0);
  const out = log.mock.calls.map((c) => String(c[0])).join('\n');
  log.mockRestore();
  return out;
}

/** data.events.store of the newest version in `models`, or null. */
/** The event store merged into `version` (default: the registry's only or newest-named version). */
function mergedStore(models: string, version?: string): string | null {
  const reg = new LocalRegistry(models);
  const v = version ?? reg.versionNames().at(-1)!;
  const ev = reg.manifest(v).data.events as { store?: string } | undefined;
  return ev?.store ?? null;
}

const quick = ['--rank', '4', '--maxIter', '2', '--beyond', 'none', '--quiet'];

describe('recs train --events-db', () => {
  it('merges --events-db like --events, and never $RECS_EVENTS_DB on its own (a training merges events only when asked)', async () => {
    const d = await data();
    await run(trainCommand, ['--file', d.file, '--events-db', d.events, '--models-dir', join(d.dir, 'a'), '--no-evaluate', ...quick]);
    expect(mergedStore(join(d.dir, 'a'))).toBe(d.events);
    vi.stubEnv(EVENTS_DB_ENV, d.events);
    await run(trainCommand, ['--file', d.file, '--models-dir', join(d.dir, 'b'), '--no-evaluate', ...quick]);
    expect(mergedStore(join(d.dir, 'b'))).toBeNull();
    await expect(trainCommand.run(['--file', d.file, '--events-db', join(d.dir, 'missing.sqlite')])).rejects.toThrow(/--events-db: no such event store/);
    await expect(trainCommand.run(['--file', d.file, '--events', d.events, '--events-db', join(d.dir, 'other')])).rejects.toBeInstanceOf(UsageError);
    expect(trainCommand.help).toMatch(/--events-db PATH/);
  }, 30_000);
});

describe('recs retrain event store', () => {
  it('merges --events-db, else $RECS_EVENTS_DB, else the server default beside the registry; --no-events skips it', async () => {
    const d = await data();
    const models = join(d.dir, 'models'); // its ../events.sqlite is d.events: the server's default
    const args = ['--file', d.file, '--models-dir', models, '--json', ...quick];

    // the server's default file, found beside the registry
    // (versions made within one second sort in no particular order: each is named by its result)
    const first = JSON.parse(await run(retrainCommand, args)) as { action: string; version: string; events: string | null };
    expect(first).toMatchObject({ action: 'trained', events: join(models, '..', 'events.sqlite') });
    expect(mergedStore(models, first.version)).toBe(join(models, '..', 'events.sqlite'));
    // rerun: the same data (events included) → nothing new
    expect(JSON.parse(await run(retrainCommand, args))).toMatchObject({ action: 'unchanged' });

    // --no-events: other data, a new version without events
    const base = JSON.parse(await run(retrainCommand, [...args, '--no-events'])) as { action: string; version: string; events: string | null };
    expect(base).toMatchObject({ action: 'trained', events: null });
    expect(mergedStore(models, base.version)).toBeNull();

    // $RECS_EVENTS_DB, and --events-db over it
    const other = join(d.dir, 'elsewhere', 'events.sqlite');
    const s = new SqliteEventStore(other);
    await s.append([{ eventId: 'x', userId: 'someone', itemId: 'm3', type: 'like', value: 2, timestamp: 1, receivedAt: 1 }]);
    await s.close();
    vi.stubEnv(EVENTS_DB_ENV, other);
    expect(JSON.parse(await run(retrainCommand, args))).toMatchObject({ events: other });
    expect(JSON.parse(await run(retrainCommand, [...args, '--events-db', d.events]))).toMatchObject({ events: d.events });

    await expect(retrainCommand.run([...args, '--events-db', join(d.dir, 'nope.sqlite')])).rejects.toThrow(/--events-db: no such event store/);
    await expect(retrainCommand.run([...args, '--no-events', '--events-db', d.events])).rejects.toBeInstanceOf(UsageError);
    expect(retrainCommand.help).toMatch(/--events-db PATH[\s\S]*--no-events[\s\S]*--load redis\|cosmos/);
  }, 60_000);
});
