// Owns the artifacts the serving benchmark loads: a synthetic model with ≥ 1M users and, when the
// shared copy exists, ML-100k, both trained with the engine (few iterations, small rank) and
// written as a registry (version directory + ACTIVE pointer) under .cache/bench-models/<name>, so
// a rerun reuses them. Items get titles and genres, so response bodies look like MovieLens ones.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadEngine, type Interactions } from '../../ts/engine/index.js';
import { loadMovieLensDir } from '../../ts/data/index.js';
import { historyOf, writeArtifact, readManifest, type ItemMetadata } from '../../ts/model/artifact.js';
import { fingerprint } from '../../ts/model/manifest.js';
import { LocalRegistry } from '../../ts/model/registry.js';
import { Rng } from '../../ts/data/random.js';

export interface BenchModel {
  name: string;
  /** Registry root to pass as --models-dir. */
  modelsDir: string;
  version: string;
  users: number;
  items: number;
  depth: number;
  /** Every known user id (for drawing request URLs). */
  userIds: () => string[];
  /** Item ids by popularity rank (for similar-items requests). */
  itemIds: () => string[];
}

const GENRES = ['Action', 'Adventure', 'Animation', 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy', 'Horror', 'Romance', 'Sci-Fi', 'Thriller'];
const VERSION = 'v1';

interface Source {
  data: Interactions;
  userIds: string[];
  itemIds: string[];
  items: ItemMetadata;
  source: string;
}

/** The synthetic model (built on first use, then read from the cache). */
export async function syntheticModel(root: string, nUsers = 1_000_000, log = console.log): Promise<BenchModel> {
  const name = `synthetic-${nUsers >= 1e6 ? `${nUsers / 1e6}m` : `${nUsers / 1e3}k`}`;
  return cached(root, name, log, async () => {
    const engine = loadEngine();
    const nItems = 3000;
    const data = await engine.generateSynthetic({ nUsers, nItems, nInteractions: nUsers * 12, latentRank: 12, seed: 7, threads: 2 });
    const rng = new Rng(11);
    const titles: string[] = [];
    const genres: string[][] = [];
    for (let i = 0; i < nItems; i++) {
      titles.push(`Synthetic title number ${i} (${1950 + (i % 70)})`);
      const g = new Set<string>();
      const n = 1 + rng.nextInt(3);
      for (let j = 0; j < n; j++) g.add(GENRES[rng.nextInt(GENRES.length)]!);
      genres.push([...g]);
    }
    return {
      data,
      userIds: Array.from({ length: nUsers }, (_, u) => `u${u}`),
      itemIds: Array.from({ length: nItems }, (_, i) => `i${i}`),
      items: { titles, genres },
      source: `synthetic(${nUsers} users, ${nItems} items, ${data.users.length} interactions)`,
    };
  });
}

/** ML-100k from an unzipped folder, or null when the folder is absent. */
export async function movieLensModel(root: string, dir: string, log = console.log): Promise<BenchModel | null> {
  if (!existsSync(join(dir, 'u.data'))) return null;
  return cached(root, 'ml-100k', log, async () => {
    const ml = await loadMovieLensDir(dir);
    const r = ml.ratings;
    const catalog = ml.movies;
    const itemIds = [...r.itemIds];
    return {
      data: { nUsers: r.userIds.length, nItems: itemIds.length, users: r.users, items: r.items, values: r.ratings },
      userIds: [...r.userIds],
      itemIds,
      items: {
        titles: itemIds.map((id) => catalog?.byId.get(id)?.title ?? null),
        genres: itemIds.map((id) => catalog?.byId.get(id)?.genres ?? []),
      },
      source: ml.source,
    };
  });
}

async function cached(root: string, name: string, log: (s: string) => void, load: () => Promise<Source>): Promise<BenchModel> {
  const modelsDir = join(root, name);
  const registry = new LocalRegistry(modelsDir);
  const dir = registry.versionDir(VERSION);
  // (a model cached before artifacts carried the users' history is rebuilt)
  if (registry.activeVersion() !== VERSION || !existsSync(join(dir, 'manifest.json')) || !existsSync(join(dir, 'history-items.u32'))) {
    rmSync(modelsDir, { recursive: true, force: true });
    registry.ensureRoot();
    log(`bench: building the ${name} model (cached under ${modelsDir})…`);
    const t0 = performance.now();
    const src = await load();
    await train(dir, name, src);
    registry.activate(VERSION);
    log(`bench: ${name} built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const m = readManifest(dir);
  const readIds = (file: string) => () => JSON.parse(readFileSync(join(dir, file), 'utf8')) as string[];
  return {
    name,
    modelsDir,
    version: VERSION,
    users: m.data.users,
    items: m.data.items,
    depth: m.topkDepth,
    userIds: readIds('user-ids.json'),
    itemIds: readIds('item-ids.json'),
  };
}

/** Fits a small implicit model, takes each user's top 50 unseen items, writes the artifact. */
async function train(dir: string, name: string, src: Source): Promise<void> {
  const engine = loadEngine();
  const { data } = src;
  const params = { rank: 16, maxIter: 4, regParam: 0.05, implicitPrefs: true, alpha: 1, solver: 'cg' as const, cgSteps: 3, threads: 2, computeLoss: false, seed: 1 };
  const t0 = performance.now();
  const model = await engine.fit(data, params);
  const fitSeconds = (performance.now() - t0) / 1000;
  const depth = 50;
  const t1 = performance.now();
  const topk = await engine.topK(model, { k: depth, exclude: data, threads: 2 });
  const topkSeconds = (performance.now() - t1) / 1000;
  const counts = new Uint32Array(data.nItems);
  for (let r = 0; r < data.items.length; r++) counts[data.items[r]!]!++;
  const order = Uint32Array.from(counts.keys()).sort((a, b) => counts[b]! - counts[a]! || a - b);
  writeArtifact(dir, {
    rank: model.rank,
    userIds: src.userIds,
    itemIds: src.itemIds,
    userFactors: model.userFactors,
    itemFactors: model.itemFactors,
    items: src.items,
    popularity: { items: order, counts: Uint32Array.from(order, (i) => counts[i]!) },
    topk: { depth, items: topk.items, scores: topk.scores },
    history: historyOf(data),
    manifest: {
      version: VERSION,
      createdAt: new Date().toISOString(),
      codeVersion: 'bench',
      params,
      engine: { kind: engine.kind, kernel: model.kernel },
      data: { source: src.source, name, fingerprint: fingerprint(data.users, data.items, data.values), users: data.nUsers, items: data.nItems, interactions: data.users.length },
      metrics: {},
      baseline: {},
      timings: { fit: fitSeconds, topk: topkSeconds },
      iterations: model.iterations.map((it) => ({ iteration: it.iteration, loss: it.loss, seconds: it.seconds })),
      topkDepth: depth,
    },
  });
}
