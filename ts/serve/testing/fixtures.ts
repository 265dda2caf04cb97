// Owns the small model artifacts and helpers the server tests use: a registry with hand-made
// factors and top-k tables (no training), a logger that keeps its lines, and JSON fetching.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyOf, writeArtifact, type UserHistory } from '../../model/artifact.js';
import type { Manifest } from '../../model/manifest.js';
import { LocalRegistry } from '../../model/registry.js';
import { createLogger, type Logger } from '../logger.js';

export const GENRES = ['Comedy', 'Drama', 'Horror'];

export interface FixtureOptions {
  users?: number;
  items?: number;
  depth?: number;
  /** Added to every score, so two versions answer differently. */
  shift?: number;
  /** Write each user's training items (default true; false: an artifact from before they were kept). */
  history?: boolean;
  /**
   * The model part (default 'factors'): 'weights' writes item-item weights instead (an EASE-like
   * model: item j's row weighs (j + 1) % m by 1 and (j + 2) % m by 0.5), 'none' neither (top-k only).
   */
  part?: 'factors' | 'weights' | 'none';
}

/**
 * Users u0…u(n-1), items i0…i(m-1) titled "Item j", genre GENRES[j % 3] (item 0 also Drama).
 * User u's list: items (u + 1 + 2s) % m for s = 0…depth-1, score 1 - s/100 + shift; the last
 * user (u(n-1)) has only 2 entries. Popularity: items by index ascending, counts m - j.
 * Item factors: item j = (cos θj, sin θj, 0, 1) with θj = j / m · π, so neighbours are similar.
 * Training items (the history): user u interacted with items (u + 2s) % m for s = 0, 1, 2 (none in their list).
 */
export function writeFixture(registry: LocalRegistry, version: string, o: FixtureOptions = {}): string {
  const nUsers = o.users ?? 20;
  const nItems = o.items ?? 30;
  const depth = o.depth ?? 6;
  const rank = 4;
  const topkItems = new Uint32Array(nUsers * depth).fill(0xffffffff);
  const topkScores = new Float32Array(nUsers * depth).fill(-Infinity);
  for (let u = 0; u < nUsers; u++) {
    const n = u === nUsers - 1 ? 2 : depth;
    for (let s = 0; s < n; s++) {
      topkItems[u * depth + s] = (u + 1 + 2 * s) % nItems;
      topkScores[u * depth + s] = 1 - s / 100 + (o.shift ?? 0);
    }
  }
  const itemFactors = new Float32Array(nItems * rank);
  for (let j = 0; j < nItems; j++) {
    const t = (j / nItems) * Math.PI;
    itemFactors.set([Math.cos(t), Math.sin(t), 0, 1], j * rank);
  }
  registry.ensureRoot();
  const dir = registry.versionDir(version);
  const part = o.part ?? 'factors';
  const weights = new Float32Array(part === 'weights' ? nItems * nItems : 0);
  if (part === 'weights') for (let j = 0; j < nItems; j++) (weights[j * nItems + ((j + 1) % nItems)] = 1), (weights[j * nItems + ((j + 2) % nItems)] = 0.5);
  writeArtifact(dir, {
    rank: part === 'factors' ? rank : 0,
    userIds: Array.from({ length: nUsers }, (_, u) => `u${u}`),
    itemIds: Array.from({ length: nItems }, (_, j) => `i${j}`),
    userFactors: part === 'factors' ? new Float32Array(nUsers * rank).fill(0.5) : new Float32Array(0),
    itemFactors: part === 'factors' ? itemFactors : new Float32Array(0),
    itemWeights: part === 'weights' ? { n: nItems, weights } : null,
    items: { titles: Array.from({ length: nItems }, (_, j) => (j === 1 ? null : `Item ${j}`)), genres: Array.from({ length: nItems }, (_, j) => (j === 0 ? ['Comedy', 'Drama'] : [GENRES[j % 3]!])) },
    popularity: { items: Uint32Array.from({ length: nItems }, (_, j) => j), counts: Uint32Array.from({ length: nItems }, (_, j) => nItems - j) },
    topk: { depth, items: topkItems, scores: topkScores },
    history: o.history === false ? null : fixtureHistory(nUsers, nItems),
    manifest: testManifest({
      version,
      ...(part === 'factors' ? {} : { algorithm: part === 'weights' ? 'ease' : 'precomputed-test' }),
      params: part === 'factors' ? { rank } : {},
      data: { source: 'fixture', fingerprint: 'f', users: nUsers, items: nItems, interactions: 0 },
      topkDepth: depth,
    }),
  });
  return dir;
}

/** What writeArtifact takes as a manifest (it adds the format, parts and files). */
type TestManifest = Omit<Manifest, 'files' | 'format' | 'parts'>;

/** A test artifact's manifest: `m` over the fields no test reads (creation at the epoch, code and engine "test", no metrics). */
export function testManifest(m: Pick<Manifest, 'version' | 'params' | 'data' | 'topkDepth'> & Partial<TestManifest>): TestManifest {
  return { createdAt: new Date(0).toISOString(), codeVersion: 'test', engine: { kind: 'native', kernel: 'test' }, metrics: {}, baseline: {}, timings: {}, iterations: [], ...m };
}

function fixtureHistory(nUsers: number, nItems: number): UserHistory {
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < nUsers; u++) for (let s = 0; s < 3; s++) users.push(u), items.push((u + 2 * s) % nItems);
  return historyOf({ nUsers, users: Uint32Array.from(users), items: Uint32Array.from(items) });
}

/** A temporary registry with `version` written and active. */
export function fixtureRegistry(version = 'v1', o?: FixtureOptions): LocalRegistry {
  const registry = new LocalRegistry(join(mkdtempSync(join(tmpdir(), 'recs-serve-')), 'models'));
  writeFixture(registry, version, o);
  registry.activate(version);
  return registry;
}

/** Flips a byte in the middle of one of the artifact's files (its checksum no longer matches). */
export function corrupt(dir: string, file = 'topk-items.u32'): void {
  const p = join(dir, file);
  const b = readFileSync(p);
  const i = Math.floor(b.length / 2);
  b[i] = b[i]! ^ 0xff;
  writeFileSync(p, b);
}

export interface CapturedLogger {
  log: Logger;
  lines: () => Record<string, unknown>[];
}

export function capturedLogger(level: 'info' | 'debug' = 'info'): CapturedLogger {
  const raw: string[] = [];
  const log = createLogger(level, { write: (s: string) => void raw.push(s) });
  return { log, lines: () => raw.map((s) => JSON.parse(s) as Record<string, unknown>) };
}

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const r = await fetch(url, init);
  const text = await r.text();
  let body: unknown = text;
  if ((r.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: r.status, body, headers: r.headers };
}

/** Resolves once `f` answers true (polled every 10 ms); rejects naming `what` after `ms`. */
export async function waitFor(what: string, f: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
