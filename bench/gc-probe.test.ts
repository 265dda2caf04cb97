// The GC probe, loaded into a real child process the way the benches load it into a server: the
// pauses it reports are the ones V8 made (a forced mark-compact and the scavenges of an
// allocating loop).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureBuilt } from '../ts/serve/testing/build.js';
import type { GcTotals } from './gc-probe.js';

describe('the GC probe', () => {
  it("counts the main thread's scavenges and mark-compacts, and writes them to the file named", async () => {
    const [built] = ensureBuilt(['bench/gc-probe-env.js', 'bench/gc-probe.js']);
    const { gcProbeEnv, gcBetween } = (await import(pathToFileURL(built!).href)) as typeof import('./gc-probe-env.js');
    const dir = mkdtempSync(join(tmpdir(), 'recs-gc-probe-'));
    try {
      const file = join(dir, 'gc.json');
      const script = `
        let keep = [];
        for (let i = 0; i < 2e6; i++) { keep.push({ i }); if (keep.length > 1000) keep = []; }
        globalThis.gc();
        setTimeout(() => {}, 400);`;
      const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { env: { ...process.env, ...gcProbeEnv(file) }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const got = JSON.parse(readFileSync(file, 'utf8')) as GcTotals;
      expect(got.major.count).toBeGreaterThanOrEqual(1);
      expect(got.minor.count).toBeGreaterThanOrEqual(1);
      expect(got.minor.ms).toBeGreaterThan(0);
      expect(gcBetween(got, got).minor).toEqual({ count: 0, ms: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
