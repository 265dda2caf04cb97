// Tests `recs models` against temporary registries of small hand-written artifacts.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRegistry } from '../../model/registry.js';
import { corrupt, writeTiny } from '../../model/lifecycle/testing.js';
import { main } from '../run.js';
import { capture } from '../testing.js';

afterEach(() => vi.restoreAllMocks());

function registry() {
  const reg = new LocalRegistry(mkdtempSync(join(tmpdir(), 'models-cli-')));
  writeTiny(reg, 'v1', { metrics: { 'ndcg@10': 0.4 } });
  writeTiny(reg, 'v2', { metrics: { 'ndcg@10': 0.1 }, baseline: { 'ndcg@10': 0.05 } });
  return reg;
}

describe('recs models', () => {
  it('lists, shows, promotes through the gate, forces, rolls back and lists states as JSON', async () => {
    const reg = registry();
    const d = ['--models-dir', reg.root];
    const c = capture();
    expect(await main(['models', 'list', ...d])).toBe(0);
    expect(c.out()).toMatch(/v1\s+candidate\s+0\.4000\s+0\.2000/);
    expect(await main(['models', 'promote', 'v1', ...d])).toBe(0);
    expect(c.out()).toMatch(/promoted v1: .*beats the popularity baseline/);
    expect(await main(['models', 'promote', 'v2', ...d])).toBe(1);
    expect(c.err()).toMatch(/gate refused v2: ndcg@10 0\.1000 is below the active v1's 0\.4000.*stays a candidate; the active version is still v1/s);
    expect(reg.activeVersion()).toBe('v1');
    expect(await main(['models', 'promote', 'v2', '--force', ...d])).toBe(0);
    expect(reg.activeVersion()).toBe('v2');
    c.clear();
    expect(await main(['models', 'show', 'v2', '--json', ...d])).toBe(0);
    const shown = JSON.parse(c.out()) as { state: string; history: Array<{ action: string; reason?: string }> };
    expect(shown.state).toBe('active');
    expect(shown.history.map((e) => e.action)).toEqual(['refuse', 'activate']);
    expect(shown.history[1]!.reason).toMatch(/^forced past the gate/);
    c.clear();
    expect(await main(['models', 'rollback', ...d])).toBe(0);
    expect(c.out()).toBe('rolled back from v2 to v1');
    c.clear();
    expect(await main(['models', 'list', '--json', ...d])).toBe(0);
    expect((JSON.parse(c.out()) as Array<{ version: string; state: string }>).map((i) => [i.version, i.state])).toEqual([
      ['v1', 'active'],
      ['v2', 'retired'],
    ]);
    c.clear();
    expect(await main(['models', 'show', 'v1', ...d])).toBe(0);
    expect(c.out()).toMatch(/state\s+active/);
  });

  it('refuses unknown versions and corrupt artifacts with clear errors; the active model stays', async () => {
    const reg = registry();
    const d = ['--models-dir', reg.root];
    const c = capture();
    expect(await main(['models', 'promote', 'v1', ...d])).toBe(0);
    expect(await main(['models', 'show', 'v7', ...d])).toBe(1);
    expect(c.err()).toContain('unknown model version "v7"; known: v1, v2');
    corrupt(reg, 'v2', 'topk-scores.f32');
    expect(await main(['models', 'promote', 'v2', '--force', ...d])).toBe(1);
    expect(c.err()).toMatch(/refusing to activate v2: .*topk-scores\.f32: checksum mismatch/);
    expect(reg.activeVersion()).toBe('v1');
  });

  it('gc keeps N plus the active and previous active versions', async () => {
    const reg = registry();
    for (const v of ['v3', 'v4']) writeTiny(reg, v);
    const d = ['--models-dir', reg.root];
    const c = capture();
    expect(await main(['models', 'promote', 'v1', ...d])).toBe(0);
    expect(await main(['models', 'promote', 'v2', '--force', ...d])).toBe(0);
    expect(await main(['models', 'gc', '--keep', '1', ...d])).toBe(0);
    expect(c.out()).toContain('deleted 1: v3');
    expect(existsSync(join(reg.root, 'v3'))).toBe(false);
    expect(reg.versionNames()).toEqual(['v1', 'v2', 'v4']);
  });

  it('rejects bad usage with exit code 2', async () => {
    const reg = registry();
    const d = ['--models-dir', reg.root];
    const c = capture();
    expect(await main(['models', ...d])).toBe(2);
    expect(c.err()).toContain('a subcommand is required');
    expect(await main(['models', 'frob', ...d])).toBe(2);
    expect(await main(['models', 'promote', ...d])).toBe(2);
    expect(await main(['models', 'gc', ...d])).toBe(2);
    expect(c.err()).toContain('gc needs --keep N');
    expect(await main(['models', 'gc', '--keep', '-1', ...d])).toBe(2);
    expect(await main(['models', 'rollback', '--force', ...d])).toBe(2);
    expect(await main(['models', 'list', '--bogus', ...d])).toBe(2);
    expect(await main(['models', '--help'])).toBe(0);
    expect(c.out()).toContain('recs models rollback');
  });
});

describe('recs train --gate and recs retrain', () => {
  it('reject contradictory options with exit code 2', async () => {
    const c = capture();
    expect(await main(['train', '--tolerance', '0.1'])).toBe(2);
    expect(c.err()).toContain('--tolerance goes with --gate');
    expect(await main(['train', '--gate', '--no-activate'])).toBe(2);
    expect(await main(['train', '--gate', '--no-evaluate'])).toBe(2);
    expect(await main(['retrain', '--no-activate'])).toBe(2);
    expect(await main(['retrain', '--tolerance', 'x'])).toBe(2);
    expect(await main(['retrain', '--help'])).toBe(0);
    expect(c.out()).toContain('Idempotent');
  });

  it('train --gate prints and records the gate decision; retrain reruns change nothing', async () => {
    // models/ inside a fresh directory: retrain merges the events of <models-dir>/../events.sqlite when it exists
    const dir = join(mkdtempSync(join(tmpdir(), 'models-cli-')), 'models');
    const common = ['--dataset', 'synthetic', '--seed-data', '7', '--beyond', 'none', '--quiet', '--models-dir', dir];
    const c = capture();
    expect(await main(['train', ...common, '--rank', '8', '--maxIter', '3', '--gate'])).toBe(0);
    expect(c.out()).toMatch(/gate {6}passed: ndcg@10 .* beats the popularity baseline/);
    expect(await main(['train', ...common, '--rank', '1', '--maxIter', '1', '--gate', '--json'])).toBe(0);
    const j = JSON.parse(c.out().slice(c.out().indexOf('{'))) as { activated: boolean; gate: { pass: boolean; reason: string } };
    expect(j.activated).toBe(false);
    expect(j.gate.pass).toBe(false);
    c.clear();
    expect(await main(['retrain', ...common, '--rank', '8', '--maxIter', '3'])).toBe(0);
    expect(c.out()).toMatch(/^retrain unchanged: .*already active/);
    expect(new LocalRegistry(dir).versionNames()).toHaveLength(2);
  });
});
