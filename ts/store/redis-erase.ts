// Owns erasing one user's lists from Redis in every model version: SCAN for the keys
// `{prefix}:v:*:u:{userId}` (glob characters in the prefix and the id escaped; every match checked
// exactly), then UNLINK them. Scanning rather than walking the `versions` set also finds versions
// that are not (or no longer) listed there: a load in progress, one interrupted, one left by gc.
// SCAN is incremental (it never blocks the server for long), so an erasure costs about one round
// trip per `count` keys of the database.

import type { Redis } from 'ioredis';

/** `s` with Redis glob metacharacters escaped, matching only itself in a MATCH pattern. */
export function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\^-]/g, (c) => `\\${c}`);
}

/** UNLINKs the user's list in every version under `prefix`; resolves with how many keys were removed. */
export async function eraseUserLists(client: Redis, prefix: string, userId: string, count = 1_000): Promise<number> {
  const head = `${prefix}:v:`;
  const tail = `:u:${userId}`;
  const pattern = `${escapeGlob(head)}*${escapeGlob(tail)}`;
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    for (const k of keys) if (k.startsWith(head) && k.endsWith(tail) && k.length > head.length + tail.length) found.add(k);
  } while (cursor !== '0');
  if (found.size === 0) return 0;
  const keys = [...found];
  let removed = 0;
  for (let i = 0; i < keys.length; i += 500) removed += await client.unlink(...keys.slice(i, i + 500));
  return removed;
}
