// Tests building requests ahead: a Traffic that prepared n requests sends exactly the sequence one
// building each request as it is sent does (same seed), past the prepared ones too, and every
// event id stays unique.

import { describe, expect, it } from 'vitest';
import { loadScenario } from './scenario.js';
import { Traffic } from './traffic.js';

const ids = { users: Array.from({ length: 50 }, (_, i) => `u${i}`), items: Array.from({ length: 40 }, (_, i) => `i${i}`) };
const options = { host: '127.0.0.1:1', apiKey: 'k'.repeat(20), runId: 'r1', seed: 42 };

function take(t: Traffic, n: number): Array<{ entry: number; text: string }> {
  return Array.from({ length: n }, () => {
    t.next();
    return { entry: t.entry, text: t.bytes.toString('latin1') };
  });
}

describe('Traffic.prepare', () => {
  it('sends the same requests, in the same order, as building them one by one', () => {
    const scenario = loadScenario('realtime');
    const built = take(new Traffic(scenario, ids, options), 500);
    const ahead = new Traffic(scenario, ids, options);
    ahead.prepare(300);
    expect(take(ahead, 500)).toEqual(built);
    const eventIds = built.flatMap((r) => [...r.text.matchAll(/"eventId":"([^"]+)"/g)].map((m) => m[1]));
    expect(eventIds.length).toBeGreaterThan(20);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    expect(new Set(built.map((r) => r.entry)).size).toBe(scenario.mix.length);
  });
});
