// Erasing one user's lists of every version from a real redis-server: exact keys only, whatever
// glob characters the user id or the prefix hold.

import { describe, expect, it } from 'vitest';
import { eraseUserLists, escapeGlob } from './redis-erase.js';
import { useRedis } from './testing/use-redis.js';

const redis = useRedis();

describe('eraseUserLists', () => {
  it('escapes every glob metacharacter', () => {
    expect(escapeGlob('a*b?c[d]e\\f^g-h')).toBe('a\\*b\\?c\\[d\\]e\\\\f\\^g\\-h');
  });

  it("removes the user's key in every version, and nothing else", async () => {
    const keys = ['p:v:1:u:u*', 'p:v:2:u:u*', 'p:v:long:version:u:u*', 'p:v:1:u:u1', 'p:v:1:u:xu*', 'p:v:1:u:u*x', 'q:v:1:u:u*', 'p:v:1:meta'];
    for (let i = 0; i < 3000; i++) keys.push(`p:v:1:u:filler${i}`);
    await redis.client.mset(...keys.flatMap((k) => [k, '1']));
    expect(await eraseUserLists(redis.client, 'p', 'u*', 200)).toBe(3);
    expect(await redis.client.exists('p:v:1:u:u*', 'p:v:2:u:u*', 'p:v:long:version:u:u*')).toBe(0);
    expect(await redis.client.exists('p:v:1:u:u1', 'p:v:1:u:xu*', 'p:v:1:u:u*x', 'q:v:1:u:u*', 'p:v:1:meta', 'p:v:1:u:filler2999')).toBe(6);
    expect(await eraseUserLists(redis.client, 'p', 'u*')).toBe(0);
    await redis.client.mset('[p]:v:1:u:a?b', '1', 'x:v:1:u:a?b', '1', '[p]:v:1:u:acb', '1');
    expect(await eraseUserLists(redis.client, '[p]', 'a?b')).toBe(1);
    expect(await redis.client.exists('x:v:1:u:a?b', '[p]:v:1:u:acb')).toBe(2);
  });
});
