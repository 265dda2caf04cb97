import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRegistry } from '../registry.js';
import { decide, promoteWithGate } from './gate.js';
import { corrupt, writeTiny } from './testing.js';

const fresh = () => new LocalRegistry(mkdtempSync(join(tmpdir(), 'gate-')));

describe('quality gate', () => {
  it('decides on baseline, tolerance and protocol', () => {
    const reg = fresh();
    const active = writeTiny(reg, 'v1', { metrics: { 'ndcg@10': 0.4 } });
    const close = writeTiny(reg, 'v2', { metrics: { 'ndcg@10': 0.395 } });
    const worse = writeTiny(reg, 'v3', { metrics: { 'ndcg@10': 0.3 } });
    const belowBaseline = writeTiny(reg, 'v4', { metrics: { 'ndcg@10': 0.19 }, baseline: { 'ndcg@10': 0.2 } });
    const unevaluated = writeTiny(reg, 'v5', { metrics: {}, baseline: {}, split: null });
    const otherSplit = writeTiny(reg, 'v6', { metrics: { 'ndcg@10': 0.5 }, split: { method: 'random', ratio: 0.75, by: 'user', seed: 42, minRating: 1 } });
    expect(decide(active, null)).toMatchObject({ pass: true, reason: expect.stringMatching(/no other active model/) });
    expect(decide(close, active).pass).toBe(true);
    expect(decide(worse, active)).toMatchObject({ pass: false, reason: expect.stringMatching(/ndcg@10 0\.3000 is below the active v1's 0\.4000 minus the tolerance 0\.01/) });
    expect(decide(worse, active, { tolerance: 0.2 }).pass).toBe(true);
    expect(decide(belowBaseline, null)).toMatchObject({ pass: false, reason: 'ndcg@10 0.1900 does not beat the popularity baseline 0.2000' });
    expect(decide(unevaluated, active)).toMatchObject({ pass: false, reason: expect.stringMatching(/not evaluated/) });
    expect(decide(otherSplit, active)).toMatchObject({ pass: false, reason: expect.stringMatching(/different protocols/) });
  });

  it('promotes a passing candidate, records a refusal, and force skips the gate but not the checksums', () => {
    const reg = fresh();
    writeTiny(reg, 'v1', { metrics: { 'ndcg@10': 0.4 } });
    writeTiny(reg, 'v2', { metrics: { 'ndcg@10': 0.1 }, baseline: { 'ndcg@10': 0.05 } });
    writeTiny(reg, 'v3', { metrics: { 'ndcg@10': 0.1 }, baseline: { 'ndcg@10': 0.05 } });
    expect(promoteWithGate(reg, 'v1')).toMatchObject({ pass: true, promoted: true });
    const refused = promoteWithGate(reg, 'v2');
    expect(refused).toMatchObject({ pass: false, promoted: false });
    expect(reg.activeVersion()).toBe('v1');
    expect(reg.state('v2')).toBe('candidate');
    expect(reg.history().at(-1)).toMatchObject({ action: 'refuse', version: 'v2', reason: refused.reason });
    corrupt(reg, 'v3');
    expect(() => promoteWithGate(reg, 'v3', { force: true })).toThrow(/checksum mismatch/);
    expect(reg.activeVersion()).toBe('v1');
    expect(promoteWithGate(reg, 'v2', { force: true })).toMatchObject({ promoted: true, reason: expect.stringMatching(/^forced past the gate/) });
    expect(reg.activeVersion()).toBe('v2');
    expect(reg.rollback()).toBe('v1');
  });
});
