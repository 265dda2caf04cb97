// Tests `recs items import`: a JSON-lines file of catalogue records lands in the SQLite event store
// (a later line for an item wins, "deleted": true hides), a running server applies it within its
// catalogue sync, and a file with bad lines is refused whole with each line number and field.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openEventStore } from '../../events/open.js';
import { startServer } from '../../serve/server.js';
import { capturedLogger, fixtureRegistry, getJson } from '../../serve/testing/fixtures.js';
import { UsageError } from '../command.js';
import { itemsCommand } from './items.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const lines = (...o: unknown[]) => o.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n') + '\n';

describe('recs items import', () => {
  it('imports records that a running server applies within its sync', async () => {
    const registry = fixtureRegistry('v1');
    const db = join(registry.root, '..', 'events.sqlite');
    const server = await startServer({ modelsDir: registry.root, port: 0, logger: capturedLogger().log, loadMode: 'inline', catalogueSyncMs: 50 });
    try {
      const before = (await getJson(`${server.url}/v1/users/u0/recommendations?k=3`)).body.items.map((i: { itemId: string }) => i.itemId);
      expect(before).toEqual(['i1', 'i3', 'i5']);
      const file = join(mkdtempSync(join(tmpdir(), 'recs-items-')), 'items.jsonl');
      writeFileSync(
        file,
        lines(
          { itemId: 'i1', title: 'One', available: true },
          '',
          { itemId: 'i3', categories: ['Drama'], attributes: { price: 4 } },
          { itemId: 'i1', available: false },
          { itemId: 'i5', deleted: true },
        ),
      );
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      expect(await itemsCommand.run(['import', file, '--models-dir', registry.root, '--json'])).toBe(0);
      expect(JSON.parse(String(log.mock.calls[0]![0]))).toMatchObject({ lines: 4, items: 3, stored: 3, hidden: 1, newerKept: 0 });
      const store = await openEventStore({ kind: 'sqlite', path: db }, {}, 'inline');
      expect(await store.item('i1')).toMatchObject({ available: false, deleted: false });
      expect((await store.item('i1'))?.title).toBeUndefined(); // the later line replaced the record whole
      expect(await store.item('i3')).toMatchObject({ categories: ['Drama'], attributes: { price: 4 }, available: true });
      expect(await store.item('i5')).toMatchObject({ deleted: true });
      await store.close();
      let after: string[] = [];
      for (let i = 0; i < 100 && !(after.length > 0 && !after.includes('i1')); i++) {
        await new Promise((r) => setTimeout(r, 20));
        after = (await getJson(`${server.url}/v1/users/u0/recommendations?k=3`)).body.items.map((x: { itemId: string }) => x.itemId);
      }
      expect(after).toEqual(['i3', 'i7', 'i9']);
    } finally {
      await server.close();
    }
  });

  it('refuses a file with bad lines whole, naming each line and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recs-items-'));
    const db = join(dir, 'events.sqlite');
    const file = join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      lines({ itemId: 'ok' }, '{"itemId": ', { title: 'no id' }, { itemId: 'x', available: 'yes' }, { itemId: 'y', deleted: true, title: 't' }, { itemId: 'z', attributes: { 'a-b': 1 } }),
    );
    const err = await itemsCommand.run(['import', file, '--events-db', db]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).toMatch(/^5 line\(s\) of .* are not valid items; nothing was imported/);
    for (const want of [':2: not valid JSON', ':3: itemId:', ':4: available: available must be true or false', ':5: title: a line with "deleted": true', ':6: attributes.a-b:'])
      expect(message).toContain(want);
    const store = await openEventStore({ kind: 'sqlite', path: db }, {}, 'inline');
    expect(await store.items()).toEqual([]);
    await store.close();
    await expect(itemsCommand.run(['import'])).rejects.toThrow(/needs the FILE/);
    await expect(itemsCommand.run(['export'])).rejects.toThrow(/unknown subcommand "export"/);
    await expect(itemsCommand.run(['import', join(dir, 'missing.jsonl'), '--events-db', db])).rejects.toThrow(/no such file/);
    await expect(itemsCommand.run(['import', file, '--events-db', db, '--batch', '0'])).rejects.toBeInstanceOf(UsageError);
  });
});
