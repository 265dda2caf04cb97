// The model lifecycle end to end on MovieLens 100K (../shared/datasets/ml-100k), with the compiled
// CLI as child processes, as an operator or a CronJob runs it: train v1 → promote → serve → train a
// deliberately worse v2 (rank 1, one iteration) → the gate refuses it → force-promote → rollback →
// v1 serving again. A real server (`recs serve`, its own process) answers two client loops
// throughout: every response must be 200, and once a switch has shown up in one answer, every
// request started afterwards must name the expected modelVersion.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifact } from '../model/artifact.js';
import { LocalRegistry } from '../model/registry.js';
import { ensureBuilt, ROOT } from '../serve/testing/build.js';
import { killServerChildren, startServerChild } from '../serve/testing/child.js';

const ML100K = resolve(ROOT, '..', 'shared', 'datasets', 'ml-100k');
const hasMl100k = existsSync(join(ML100K, 'u.data'));
if (!hasMl100k) console.warn(`[lifecycle-loop.test] SKIPPING the lifecycle loop on MovieLens 100K: ${ML100K} not found`);

let cliJs: string;

beforeAll(() => {
  if (hasMl100k) [cliJs] = ensureBuilt(['ts/cli/main.js', 'ts/serve/load-worker.js']) as [string];
}, 120_000);
afterAll(killServerChildren);

/** Runs `recs …args` to completion; resolves with its exit code and output. */
function recs(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cliJs, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `recs serve` on `modelsDir`; resolves with its URL once it listens. */
async function serve(modelsDir: string): Promise<string> {
  return (await startServerChild(cliJs, ['serve', '--models-dir', modelsDir, '--port', '0', '--reload-interval', '0.1'], { cwd: ROOT })).url;
}

interface Answer {
  /** Order in which the request was started. */
  started: number;
  status: number;
  version: string | null;
  items: number;
  error?: string;
}

/** `n` clients asking for MovieLens users' recommendations back to back until stop(). */
function hammer(url: string, n: number) {
  const users = ['1', '13', '276', '405', '655', '943'];
  const answers: Answer[] = [];
  let started = 0;
  let running = true;
  const loops = Array.from({ length: n }, async (_, c) => {
    for (let i = 0; running; i++) {
      const me = started++;
      try {
        const r = await fetch(`${url}/v1/users/${users[(c + i) % users.length]}/recommendations?k=10`);
        const body = (await r.json()) as { modelVersion?: string; items?: unknown[] };
        answers.push({ started: me, status: r.status, version: body.modelVersion ?? null, items: body.items?.length ?? 0 });
      } catch (e) {
        answers.push({ started: me, status: 0, version: null, items: 0, error: (e as Error).message });
      }
    }
  });
  return {
    answers,
    /** How many requests have been started so far (a mark between steps). */
    mark: () => started,
    /** Resolves once a request started at or after `after` is answered by `version`; returns the mark at that moment. */
    async settled(version: string, after: number, timeoutMs = 15_000): Promise<number> {
      const t0 = Date.now();
      while (!answers.some((a) => a.version === version && a.started >= after)) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`the server did not switch to ${version} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return started;
    },
    async stop(): Promise<void> {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** The versions named by answers to requests started in [from, to). */
function versionsBetween(answers: Answer[], from: number, to: number): Set<string | null> {
  return new Set(answers.filter((a) => a.started >= from && a.started < to).map((a) => a.version));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The item ids `version`'s artifact stores for `user`, best first (the reference for answers). */
function storedList(modelsDir: string, version: string, user: string, k: number): string[] {
  const a = readArtifact(join(modelsDir, version));
  const row = a.userIds.indexOf(user);
  const items = Array.from(a.topk.items.subarray(row * a.topk.depth, row * a.topk.depth + k));
  return items.map((i) => a.itemIds[i]!);
}

/** The item ids the server answers for `user`, with the version it names. */
async function answered(url: string, user: string): Promise<{ version: string; items: string[] }> {
  const body = (await (await fetch(`${url}/v1/users/${user}/recommendations?k=10`)).json()) as { modelVersion: string; items: { itemId: string }[] };
  return { version: body.modelVersion, items: body.items.map((x) => x.itemId) };
}

describe.skipIf(!hasMl100k)('model lifecycle on MovieLens 100K with a server answering throughout', () => {
  it('train v1 → promote → serve → worse v2 refused → force-promote → rollback → v1 again, no failed request', async () => {
    const modelsDir = join(mkdtempSync(join(tmpdir(), 'lifecycle-loop-')), 'models');
    const registry = new LocalRegistry(modelsDir);
    const data = ['--data-dir', ML100K, '--beyond', 'none', '--models-dir', modelsDir, '--json'];

    // v1: a real model, registered as a candidate, then promoted through the gate
    const t1 = await recs(['train', ...data, '--rank', '32', '--maxIter', '10', '--no-activate']);
    expect(t1.code, t1.stderr).toBe(0);
    const v1 = (JSON.parse(t1.stdout) as { version: string }).version;
    expect(registry.state(v1)).toBe('candidate');
    const p1 = await recs(['models', 'promote', v1, '--models-dir', modelsDir]);
    expect(p1.code, p1.stderr).toBe(0);
    expect(registry.activeVersion()).toBe(v1);

    // serve it, and keep two clients asking from here to the end
    const url = await serve(modelsDir);
    const clients = hammer(url, 2);
    try {
      const v1Serving = await clients.settled(v1, 0);
      expect(await answered(url, '1')).toEqual({ version: v1, items: storedList(modelsDir, v1, '1', 10) });

      // v2: deliberately worse; the gate refuses it and v1 keeps serving
      const t2 = await recs(['train', ...data, '--rank', '1', '--maxIter', '1', '--gate']);
      expect(t2.code, t2.stderr).toBe(0);
      const m2 = JSON.parse(t2.stdout) as { version: string; activated: boolean; gate: { pass: boolean; reason: string }; metrics: Record<string, number> };
      const v2 = m2.version;
      expect(v2).not.toBe(v1);
      expect(m2.activated).toBe(false);
      expect(m2.gate.pass).toBe(false);
      expect(m2.gate.reason).toMatch(/ndcg@10 .* (does not beat the popularity baseline|is below the active)/);
      expect(m2.metrics['ndcg@10']!).toBeLessThan(registry.manifest(v1).metrics['ndcg@10']! - 0.01);
      expect(registry.state(v2)).toBe('candidate');
      expect(registry.history().at(-1)).toMatchObject({ action: 'refuse', version: v2, reason: m2.gate.reason });

      // promoting it without --force is refused too (exit 1, reason on stderr)
      const p2 = await recs(['models', 'promote', v2, '--models-dir', modelsDir]);
      expect(p2.code).toBe(1);
      expect(p2.stderr).toMatch(/gate refused/);
      expect(registry.activeVersion()).toBe(v1);
      await pause(500); // let the server's watcher have its chance to (wrongly) switch
      const beforeForce = clients.mark();
      expect(versionsBetween(clients.answers, v1Serving, beforeForce)).toEqual(new Set([v1]));

      // --force promotes it anyway; the server switches to v2
      const f2 = await recs(['models', 'promote', v2, '--force', '--models-dir', modelsDir]);
      expect(f2.code, f2.stderr).toBe(0);
      expect(registry.activeVersion()).toBe(v2);
      const v2Serving = await clients.settled(v2, beforeForce);
      expect(await answered(url, '1')).toEqual({ version: v2, items: storedList(modelsDir, v2, '1', 10) });
      expect(storedList(modelsDir, v2, '1', 10)).not.toEqual(storedList(modelsDir, v1, '1', 10));
      await pause(300);
      const beforeRollback = clients.mark();
      expect(versionsBetween(clients.answers, v2Serving, beforeRollback)).toEqual(new Set([v2]));

      // rollback: v1 serves again, v2 is retired
      const r = await recs(['models', 'rollback', '--models-dir', modelsDir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`rolled back from ${v2} to ${v1}`);
      expect(registry.activeVersion()).toBe(v1);
      expect(registry.state(v2)).toBe('retired');
      const v1Again = await clients.settled(v1, beforeRollback);
      expect(await answered(url, '1')).toEqual({ version: v1, items: storedList(modelsDir, v1, '1', 10) });
      await pause(300);
      const end = clients.mark();
      expect(versionsBetween(clients.answers, v1Again, end)).toEqual(new Set([v1]));
    } finally {
      await clients.stop();
    }

    // zero failed requests, and real lists in every answer
    const a = clients.answers;
    expect(a.length).toBeGreaterThan(100);
    expect(a.filter((x) => x.status !== 200)).toEqual([]);
    expect(a.filter((x) => x.items !== 10)).toEqual([]);
    console.log(`[lifecycle-loop.test] ${a.length} requests, all 200: ${[...new Set(a.map((x) => x.version))].map((v) => `${v} ×${a.filter((x) => x.version === v).length}`).join(', ')}`);
  }, 90_000);
});
