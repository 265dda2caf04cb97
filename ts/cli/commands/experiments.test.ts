// Tests `recs experiments` against a temporary registry of small hand-written artifacts.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { localBook } from '../../model/experiments/book.js';
import { writeTiny } from '../../model/lifecycle/testing.js';
import { LocalRegistry } from '../../model/registry.js';
import { main } from '../run.js';
import { capture } from '../testing.js';

afterEach(() => vi.restoreAllMocks());

describe('recs experiments', () => {
  it('creates, lists, shows and stops; refuses bad shares, unknown versions and overlaps', async () => {
    const reg = new LocalRegistry(mkdtempSync(join(tmpdir(), 'exp-cli-')));
    writeTiny(reg, 'v1');
    writeTiny(reg, 'v2');
    const d = ['--models-dir', reg.root];
    const c = capture();
    expect(await main(['experiments', 'create', 'e1', '--variants', 'control=v1:0.5,treatment=v2:0.6', ...d])).toBe(1);
    expect(c.err()).toMatch(/shares sum to 1\.1, not 1/);
    expect(await main(['experiments', 'create', 'e1', '--variants', 'control=v1:0.5,treatment=v7:0.5', ...d])).toBe(1);
    expect(c.err()).toMatch(/unknown model version "v7"; known: v1, v2/);
    expect(await main(['experiments', 'create', 'e1', '--variants', 'control=v1:0.5,treatment=v2:0.5', '--salt', 's1', ...d])).toBe(0);
    expect(c.out()).toMatch(/created and started[\s\S]*control\s+v1\s+50\.0 %\s+\(control\)/);
    expect(await main(['experiments', 'create', 'e2', '--variants', 'control=v1:0.5,pop=popularity:0.5', ...d])).toBe(1);
    expect(c.err()).toMatch(/experiment "e1" is running on the same unit/);
    c.clear();
    expect(await main(['experiments', 'list', ...d])).toBe(0);
    expect(c.out()).toMatch(/^e1\s+running\s+control=v1:0\.5,treatment=v2:0\.5$/);
    c.clear();
    expect(await main(['experiments', 'show', 'e1', '--json', ...d])).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ name: 'e1', salt: 's1', state: 'running' });
    expect(await main(['experiments', 'show', 'nope', ...d])).toBe(1);
    expect(c.err()).toMatch(/no experiment named "nope"; known: e1/);
    expect(await main(['experiments', 'stop', 'e1', ...d])).toBe(0);
    expect((await localBook(reg.root).read()).experiments[0]).toMatchObject({ state: 'stopped' });
    expect(await main(['experiments', 'create', 'e2', '--variants', 'control=v1:0.5,pop=popularity:0.5', ...d])).toBe(0);
    expect(await main(['experiments', 'stop', 'e1', '--salt', 'x', ...d])).toBe(2);
  });
});
