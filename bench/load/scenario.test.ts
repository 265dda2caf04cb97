import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN, loadScenario, rateFactorAt, validateScenario } from './scenario.js';

const base = { name: 'x', arrival: { model: 'open', rate: 100 }, mix: [{ weight: 1, request: 'recommendations' }] };

describe('scenarios', () => {
  it('loads every built-in, with the defaults filled in', () => {
    for (const name of Object.keys(BUILT_IN)) {
      const s = loadScenario(name);
      expect(s.name).toBe(name);
      expect(s.mix.reduce((a, m) => a + m.weight, 0)).toBeCloseTo(1, 9);
    }
    expect(loadScenario('reference').arrival).toEqual({ model: 'users', users: 200, thinkMs: 1000 });
    expect(loadScenario('realtime').mix.some((m) => m.request === 'events')).toBe(true);
    const s = validateScenario(base, 'f.json');
    expect(s.users).toEqual({ zipf: 1, unknownShare: 0.05 });
    expect(s.mix[0]).toEqual({ name: 'recommendations', weight: 1, request: 'recommendations', k: 10 });
  });

  it('rejects what is wrong with one line naming the file and field', () => {
    const bad = (patch: Record<string, unknown>) => () => validateScenario({ ...base, ...patch }, 'my.json');
    expect(bad({ colour: 'red' })).toThrow(/^my\.json: scenario: unknown field "colour" \(known: name, /);
    expect(bad({ mix: [{ weight: 1, request: 'recommendations', weigth: 2 }] })).toThrow('my.json: mix[0]: unknown field "weigth"');
    expect(
      bad({
        mix: [
          { weight: 0.5, request: 'recommendations' },
          { weight: 0.45, request: 'similar' },
        ],
      }),
    ).toThrow('my.json: mix: weights sum to 0.95, not 1');
    expect(bad({ mix: [{ weight: 1, request: 'delete' }] })).toThrow('my.json: mix[0].request: must be one of recommendations, similar, events, got "delete"');
    expect(bad({ mix: [{ weight: 1, request: 'similar', batch: 3 }] })).toThrow('my.json: mix[0]: batch belongs to events, not similar');
    expect(bad({ mix: [{ weight: 1, request: 'events', batch: 1001 }] })).toThrow('mix[0].batch: must be an integer from 1 to 1000, got 1001');
    expect(bad({ arrival: { model: 'users', users: 10, thinkMs: 5, rate: 3 } })).toThrow('my.json: arrival: rate belongs to model "open"');
    expect(
      bad({
        phases: [
          { share: 0.5, rateFactor: 1 },
          { share: 0.6, rateFactor: 2 },
        ],
      }),
    ).toThrow('my.json: phases: shares sum to 1.1, not 1');
    for (const f of [bad({ colour: 1 }), bad({ mix: [] })]) {
      try {
        f();
      } catch (e) {
        expect((e as Error).message).not.toContain('\n');
      }
    }
  });

  it('reads files and says which file is unreadable or not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(base));
    writeFileSync(join(dir, 'broken.json'), '{"name": ');
    expect(loadScenario(join(dir, 'ok.json')).name).toBe('x');
    expect(() => loadScenario(join(dir, 'broken.json'))).toThrow(/broken\.json: not valid JSON/);
    expect(() => loadScenario(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read the file \(ENOENT\)/);
    expect(() => loadScenario('nosuch')).toThrow('--scenario nosuch: no such built-in scenario (built-ins: reference, read-heavy, realtime, spike');
  });

  it('follows the rate phases over the run', () => {
    const spike = loadScenario('spike');
    expect([0, 3.9, 4, 5.9, 6, 9.9].map((t) => rateFactorAt(spike.phases, t, 10))).toEqual([1, 1, 4, 4, 1, 1]);
    expect(rateFactorAt([], 3, 10)).toBe(1);
  });
});
