// Owns the load the hot-reload tests put on a server: clients firing requests back to back while
// models change under them, each answer noted with its status, its model version and whether its
// list is that version's (the fixtures shift scores per version: user u3's first item scores
// 1 + shift), and a wait for a condition to come true.

import { getJson } from './fixtures.js';

export interface Seen {
  status: number;
  version: string;
  consistent: boolean;
}

export interface Clients {
  /** Answers seen so far that named `version`. */
  count(version: string): number;
  /** Stops the clients once their requests in flight end; every answer seen, per client. */
  stop(): Promise<Seen[][]>;
}

/**
 * `n` clients against `url`, client c taking `paths` in turn from the c-th. `shiftOf` maps a version
 * to its fixture's score shift (answers for u3 are checked against it; other paths only counted).
 */
export function clients(url: string, n: number, shiftOf: Record<string, number>, paths = ['/v1/users/u3/recommendations?k=2']): Clients {
  let running = true;
  const seen: Seen[][] = Array.from({ length: n }, () => []);
  const loops = seen.map(async (log, c) => {
    for (let i = 0; running; i++) {
      const path = paths[(c + i) % paths.length]!;
      const r = await getJson(`${url}${path}`);
      const version = String(r.body?.modelVersion);
      const consistent = !path.includes('/u3/') || r.body?.items?.[0]?.score === 1 + (shiftOf[version] ?? NaN);
      log.push({ status: r.status, version, consistent });
    }
  });
  return {
    count: (version) => seen.flat().filter((s) => s.version === version).length,
    async stop() {
      running = false;
      await Promise.all(loops);
      return seen;
    },
  };
}

/** Resolves once `cond()` holds (checked every 10 ms); rejects after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
