import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRegistry, UnknownVersionError } from './registry.js';
import { corrupt, writeTiny } from './lifecycle/testing.js';

const fresh = () => new LocalRegistry(mkdtempSync(join(tmpdir(), 'reg-')));

describe('registry states and history', () => {
  it('derives candidate, active and retired states from the pointer and the history', () => {
    const reg = fresh();
    writeTiny(reg, 'v1');
    writeTiny(reg, 'v2');
    expect(reg.infos().map((i) => [i.version, i.state])).toEqual([
      ['v1', 'candidate'],
      ['v2', 'candidate'],
    ]);
    reg.promote('v1');
    reg.promote('v2');
    expect(reg.infos().map((i) => [i.version, i.state])).toEqual([
      ['v1', 'retired'],
      ['v2', 'active'],
    ]);
    expect(reg.previousActive()).toBe('v1');
    const h = JSON.parse(readFileSync(join(reg.root, 'HISTORY.json'), 'utf8')) as { events: Array<{ action: string; version: string; from: string | null }> };
    expect(h.events.map((e) => [e.action, e.version, e.from])).toEqual([
      ['activate', 'v1', null],
      ['activate', 'v2', 'v1'],
    ]);
  });

  it('rolls back to the previous active version and refuses when there is none', () => {
    const reg = fresh();
    writeTiny(reg, 'v1');
    writeTiny(reg, 'v2');
    expect(() => reg.rollback()).toThrow(/no version is active/);
    reg.promote('v1');
    expect(() => reg.rollback()).toThrow(/nothing to roll back to/);
    reg.promote('v2');
    expect(reg.rollback()).toBe('v1');
    expect(reg.activeVersion()).toBe('v1');
    expect(reg.state('v2')).toBe('retired');
    expect(reg.history().at(-1)).toMatchObject({ action: 'activate', version: 'v1', from: 'v2', via: 'rollback' });
  });

  it('names unknown versions and refuses corrupt artifacts, leaving the active one serving', () => {
    const reg = fresh();
    writeTiny(reg, 'v1');
    writeTiny(reg, 'v2');
    reg.promote('v1');
    expect(() => reg.promote('v9')).toThrow(UnknownVersionError);
    expect(() => reg.promote('v9')).toThrow(/unknown model version "v9"; known: v1, v2/);
    expect(() => reg.manifest('../x')).toThrow(/not a valid model version/);
    corrupt(reg, 'v2');
    expect(() => reg.promote('v2')).toThrow(/refusing to activate v2: .*item-factors\.f32: checksum mismatch.*active version is unchanged/);
    expect(reg.activeVersion()).toBe('v1');
    expect(reg.state('v2')).toBe('candidate');
  });

  it('reports a corrupt history file clearly', () => {
    const reg = fresh();
    writeTiny(reg, 'v1');
    writeFileSync(join(reg.root, 'HISTORY.json'), '{oops');
    expect(() => reg.history()).toThrow(/HISTORY\.json: cannot read the registry history/);
  });

  it('gc keeps the newest N and never deletes the active or the previous active version', () => {
    const reg = fresh();
    for (const v of ['v1', 'v2', 'v3', 'v4', 'v5']) writeTiny(reg, v);
    reg.promote('v1');
    reg.promote('v2');
    expect(reg.gc(1)).toEqual(['v3', 'v4']);
    expect(reg.versionNames()).toEqual(['v1', 'v2', 'v5']);
    expect(existsSync(join(reg.root, 'v3'))).toBe(false);
    expect(reg.history().at(-1)).toMatchObject({ action: 'delete', version: 'v4' });
    expect(reg.gc(0)).toEqual(['v5']);
    expect(reg.versionNames()).toEqual(['v1', 'v2']);
    expect(reg.rollback()).toBe('v1');
  });
});
