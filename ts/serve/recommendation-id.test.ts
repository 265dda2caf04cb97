// recommendationId: the format (32 lowercase hex digits), the counter's in-place increment against
// BigInt arithmetic (carries across hex digits), uniqueness within a process, and across separate
// Node processes (each draws its own random prefix, so restarts and replicas never collide).

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nextRecommendationId, nextRecommendationIdField, RECOMMENDATION_ID_PATTERN } from './recommendation-id.js';

/** `count` ids made by a fresh Node process (the module itself, its types stripped). */
function idsOfAnotherProcess(count: number): string[] {
  const module = fileURLToPath(new URL('./recommendation-id.ts', import.meta.url));
  const script = `import(${JSON.stringify(module)}).then((m) => { const a = []; for (let i = 0; i < ${count}; i++) a.push(m.nextRecommendationId()); console.log(JSON.stringify(a)); })`;
  const out = execFileSync(process.execPath, ['--experimental-strip-types', '--no-warnings', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

describe('recommendationId', () => {
  it('is 32 lowercase hex digits, and the field is the JSON member ,"recommendationId":"<id>"', () => {
    const id = nextRecommendationId();
    expect(id).toMatch(RECOMMENDATION_ID_PATTERN);
    const field = nextRecommendationIdField().toString('latin1');
    const parsed = JSON.parse(`{${field.slice(1)}}`) as { recommendationId: string };
    expect(parsed.recommendationId).toMatch(RECOMMENDATION_ID_PATTERN);
    expect(parsed.recommendationId).not.toBe(id);
  });

  it('counts up by one per id under a fixed prefix, carrying across hex digits (checked with BigInt)', () => {
    const first = nextRecommendationId();
    const prefix = first.slice(0, 16);
    let expected = BigInt(`0x${first.slice(16)}`);
    for (let i = 0; i < 70_000; i++) {
      expected++;
      const id = nextRecommendationId();
      if (id.slice(0, 16) !== prefix || BigInt(`0x${id.slice(16)}`) !== expected) {
        expect(id.slice(0, 16)).toBe(prefix);
        expect(id.slice(16)).toBe(expected.toString(16).padStart(16, '0'));
      }
    }
  });

  it('never repeats within a process', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(nextRecommendationId());
    expect(seen.size).toBe(100_000);
  });

  it('never repeats across processes: each process draws its own prefix', () => {
    const a = idsOfAnotherProcess(1000);
    const b = idsOfAnotherProcess(1000);
    const here = Array.from({ length: 1000 }, () => nextRecommendationId());
    for (const ids of [a, b]) for (const id of ids) expect(id).toMatch(RECOMMENDATION_ID_PATTERN);
    // both fresh processes start their counters at 1: only the prefix tells them apart
    expect(a[0]!.slice(16)).toBe(b[0]!.slice(16));
    expect(new Set([a[0]!.slice(0, 16), b[0]!.slice(0, 16), here[0]!.slice(0, 16)]).size).toBe(3);
    expect(new Set([...a, ...b, ...here]).size).toBe(3000);
  });
});
