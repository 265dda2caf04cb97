// Owns the training pipeline, steps 2–6 of the reference data flow as one call:
// prepared data (./prepared-data.ts: load, merge events, prepare) → split → fit → evaluate (beside
// the popularity baseline) → refit on all the data → precompute the top-k unseen items for every
// user → write a versioned artifact and its HTML report into the registry. It stops there, at a
// candidate version: making it active (gate, serving-store load, pointer) is
// ../lifecycle/publish.ts.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../../data/index.js';
import type { Engine } from '../../engine/index.js';
import { algorithmNamed, algorithmParams, readsImplicitFeedback, type Algorithm, type FittedModel, type ParamValues } from '../algorithms/index.js';
import { modelParts } from '../algorithms/parts.js';
import { itemPopularity } from '../../eval/index.js';
import { historyOf, writeArtifact, type ItemMetadata } from '../artifact.js';
import { newVersion, type Manifest } from '../manifest.js';
import { LocalRegistry } from '../registry.js';
import { renderReport } from '../report/html.js';
import { evaluateModel, type Segments } from './evaluate.js';
import { formatFeedback } from './feedback.js';
import type { TrainOptions } from './options.js';
import type { Progress } from './progress.js';
import { prepareData, type PreparedData } from './prepared-data.js';
import { itemMetadata } from './source.js';
import { splitDataset } from './split.js';
import { HeldOutCurve } from './heldout-curve.js';
import { stepTimer } from './timings.js';

/** A written version: a candidate in the registry, not yet active. */
export interface WrittenVersion {
  manifest: Manifest;
  dir: string;
  reportPath: string;
}

/**
 * Trains on `o` and writes the version into `o.modelsDir`; `data`, when given, is this run's
 * prepared data (computed once by the caller, e.g. `retrain`, which fingerprints it first).
 * `o.activate`, `o.gate` and `o.load` are publish's (../lifecycle/publish.ts), not read here.
 */
export async function train(engine: Engine, o: TrainOptions, progress: Progress, data?: PreparedData): Promise<WrittenVersion> {
  const prepared = data ?? (await prepareData(engine, o, progress));
  const { loaded, events, missingRatings, fixed, all, stats } = prepared;
  const timings: Record<string, number> = { ...prepared.timings };
  const time = stepTimer(timings);

  const algorithm = algorithmNamed(o.algorithm?.name ?? 'als');
  const params = algorithmParams(algorithm, o);
  const implicit = readsImplicitFeedback(o);
  const nUsers = all.userIds.length;
  const nItems = all.itemIds.length;
  algorithm.check?.(nUsers, nItems, params);

  let metrics: Record<string, number> = {};
  let baseline: Record<string, number> = {};
  let splitCounts: Record<string, number> = {};
  let model: FittedModel | null = null;
  let curve: HeldOutCurve | null = null;
  let segments: Segments | null = null;
  let evaluationFit: Manifest['evaluationFit'];
  if (o.evaluate) {
    const [trainSet, testSet] = fixed ? [fixed.trainSet, fixed.testSet] : await time('split', () => splitDataset(all, o.split));
    splitCounts = { train: trainSet!.length, test: testSet!.length };
    // The held-out curve follows an iterative fit's factors (ALS); one-shot algorithms have no curve.
    curve = algorithm.name === 'als' ? new HeldOutCurve(engine, trainSet!, testSet!, { k: o.k, explicit: !implicit, seed: o.split.seed }) : null;
    model = await time('fit', () => fit(engine, algorithm, params, trainSet!, nUsers, nItems, o, progress, 'fit', curve ?? undefined));
    if (curve) {
      const c = await curve.result();
      evaluationFit = { iterations: records(model), heldOut: { k: c.k, users: c.users, rankedUsers: c.rankedUsers, points: c.points } };
    }
    const ev = await time('evaluate', () => evaluateModel(engine, model!, trainSet!, testSet!, { k: o.k, explicit: !implicit, beyondAccuracy: o.beyondAccuracy }, progress));
    metrics = ev.metrics;
    baseline = ev.baseline;
    splitCounts.rankedUsers = ev.rankedUsers;
    splitCounts.testUsers = new Set(testSet!.users).size;
    segments = ev.segments;
  }
  if (!model || o.refit) model = await time('refit', () => fit(engine, algorithm, params, all, nUsers, nItems, o, progress, o.evaluate ? 'refit' : 'fit'));

  const stage = progress.stage('top-k', nUsers, ' users');
  const top = await time('topk', () => model!.topK({ k: o.depth, exclude: all, onProgress: (d) => stage.update(d) }));
  stage.done(`${o.depth} per user`);

  const counts = itemPopularity(all);
  const popOrder = Array.from(counts.keys()).sort((a, b) => counts[b]! - counts[a]! || a - b);
  const items = itemMetadata(all.itemIds, loaded.catalog);
  const version = newVersion(new Date(), algorithm.name + JSON.stringify(params) + loaded.description);
  const registry = new LocalRegistry(o.modelsDir);
  registry.ensureRoot();
  const dir = registry.versionDir(version);
  const manifest = await time('write', () =>
    writeArtifact(dir, {
      ...modelParts(model!),
      userIds: [...all.userIds],
      itemIds: [...all.itemIds],
      items,
      popularity: { items: Uint32Array.from(popOrder), counts: Uint32Array.from(popOrder, (i) => counts[i]!) },
      topk: { depth: o.depth, items: top.items, scores: top.scores },
      history: historyOf({ nUsers, users: all.users, items: all.items }),
      manifest: {
        version,
        createdAt: new Date().toISOString(),
        codeVersion: codeVersion(),
        algorithm: algorithm.name,
        params: { ...params, feedback: formatFeedback(o.feedback), k: o.k, depth: o.depth, refit: o.refit },
        engine: { kind: engine.kind, kernel: model!.kernel },
        data: {
          source: loaded.description,
          fingerprint: prepared.fingerprint,
          users: nUsers,
          items: nItems,
          interactions: all.length,
          badLinesSkipped: loaded.badLines,
          duplicatesRemoved: stats.duplicatesRemoved,
          filteredRows: stats.filteredRows,
          ...(missingRatings ? { emptyRatingsCountedAsOne: missingRatings } : {}),
          ...(loaded.columns ? { columns: loaded.columns } : {}),
          split: !o.evaluate
            ? null
            : fixed && o.dataset.kind === 'file'
              ? { method: 'given files', trainFile: o.dataset.path, testFile: o.dataset.testPath, ...splitCounts }
              : { ...o.split, ...splitCounts },
          ...(events ? { events } : {}),
        },
        metrics,
        baseline,
        timings,
        iterations: records(model!),
        ...(evaluationFit ? { evaluationFit } : {}),
        topkDepth: o.depth,
      },
    }),
  );
  const reportPath = join(dir, 'report.html');
  writeFileSync(reportPath, report(manifest, all, counts, items, top, o, segments));
  return { manifest, dir, reportPath };
}

const records = (m: FittedModel) => m.iterations.map((r) => ({ iteration: r.iteration, loss: r.loss, seconds: round(r.seconds) }));

async function fit(
  engine: Engine,
  algorithm: Algorithm,
  params: ParamValues,
  ds: Dataset,
  nUsers: number,
  nItems: number,
  o: TrainOptions,
  progress: Progress,
  label: string,
  curve?: HeldOutCurve,
): Promise<FittedModel> {
  const iterative = algorithm.name === 'als';
  const stage = iterative ? progress.stage(label, o.als.maxIter, ' iters') : progress.stage(label, 100, '%');
  const model = await algorithm.fit(engine, { nUsers, nItems, users: ds.users, items: ds.items, ratings: ds.ratings, feedback: o.feedback }, params, {
    onIteration: (r) => {
      curve?.observe(r);
      stage.update(r.iteration, r.loss === null ? undefined : `loss ${r.loss.toPrecision(5)}`);
    },
    onProgress: (done, total) => stage.update(Math.floor((100 * done) / total)),
    ...(curve ? { withFactors: true } : {}),
  });
  const last = model.iterations.at(-1);
  stage.done(last?.loss != null ? `loss ${last.loss.toPrecision(5)}, ${model.kernel}` : model.kernel);
  return model;
}

/** The HTML report: protocol, metrics, both fits' loss, held-out curve, popularity, segments, examples. */
function report(m: Manifest, all: Dataset, counts: Uint32Array, items: ItemMetadata | null, top: { items: Uint32Array; scores: Float32Array }, o: TrainOptions, segments: Segments | null): string {
  const k = o.k;
  const name = (i: number) => items?.titles[i] ?? `item ${all.itemIds[i]}`;
  const depth = m.topkDepth;
  const byUser = new Map<number, number[]>();
  for (let r = 0; r < all.length; r++) {
    const u = all.users[r]!;
    if (u < 3) (byUser.get(u) ?? byUser.set(u, []).get(u)!).push(r);
  }
  const examples = [...byUser.entries()].map(([u, rows]) => {
    rows.sort((a, b) => (all.timestamps[b]! || 0) - (all.timestamps[a]! || 0));
    const recs: Array<{ item: string; score: number }> = [];
    for (let j = 0; j < Math.min(k, depth); j++) {
      const it = top.items[u * depth + j]!;
      if (it !== 0xffffffff) recs.push({ item: name(it), score: top.scores[u * depth + j]! });
    }
    return { user: all.userIds[u]!, history: rows.slice(0, 5).map((r) => name(all.items[r]!)), recommendations: recs };
  });
  return renderReport({
    title: `Training report — ${m.data.source}`,
    version: m.version,
    createdAt: m.createdAt,
    params: m.params,
    data: m.data,
    iterations: m.iterations,
    ...(m.evaluationFit ? { evaluationFit: m.evaluationFit } : {}),
    protocol: protocolRows(m, o),
    metrics: m.metrics,
    baseline: m.baseline,
    timings: m.timings,
    itemCounts: counts,
    popularity: popularityDeciles(counts, top.items, depth, Math.min(k, depth)),
    segments,
    examples,
  });
}

/** The evaluation protocol as the report's table rows. */
function protocolRows(m: Manifest, o: TrainOptions): Array<[string, string]> {
  const d = m.data;
  const s = d.split as Record<string, unknown> | null;
  const rows: Array<[string, string]> = [['data', `${d.source}: ${d.users} users × ${d.items} items, ${d.interactions} interactions${d.columns ? ` (${String(d.columns)})` : ''}`]];
  if (!s) return [...rows, ['evaluation', 'skipped (--no-evaluate)']];
  const split =
    s.method === 'given files'
      ? `given files: train ${String(s.trainFile)}, test ${String(s.testFile)}`
      : s.method === 'random'
        ? `random, ${String(s.ratio)} to training, seed ${String(s.seed)}`
        : `${String(s.method)} by ${String(s.by)}, ${String(s.ratio)} of each ${String(s.by)}'s interactions to training${s.method === 'stratified' ? `, seed ${String(s.seed)}` : ' (earliest first)'}`;
  rows.push(
    ['split', split],
    ['training / test interactions', `${String(s.train)} / ${String(s.test)}`],
    ['test users ranked', `${String(s.rankedUsers)} of ${String(s.testUsers)} (users without training interactions cannot be ranked and score 0 in NDCG)`],
    ['candidates', 'every item the user has not interacted with in the training split (full ranking)'],
    ['relevant', 'every test interaction of the user, whatever its rating'],
    ['cut-off k', String(o.k)],
    ['model', algorithmNamed(m.algorithm ?? 'als').describe(m.params as ParamValues)],
    ['baseline', 'the k most popular training items the user has not interacted with'],
    ['served model', o.refit ? 'refitted on all the data after the evaluation' : 'the evaluation fit itself (--no-refit)'],
  );
  return rows;
}

/** Per decile of the data's items by popularity: share of the interactions and of the served top-k slots. */
function popularityDeciles(counts: Uint32Array, topItems: Uint32Array, depth: number, k: number): Array<{ decile: number; dataShare: number; recommendationShare: number }> {
  const ranked = Array.from(counts.keys())
    .filter((i) => counts[i]! > 0)
    .sort((a, b) => counts[b]! - counts[a]! || a - b);
  if (ranked.length === 0) return [];
  const decile = new Int8Array(counts.length).fill(-1);
  ranked.forEach((item, r) => (decile[item] = Math.floor((10 * r) / ranked.length)));
  const data = new Float64Array(10);
  const recs = new Float64Array(10);
  let total = 0;
  let slots = 0;
  for (const i of ranked) {
    data[decile[i]!]! += counts[i]!;
    total += counts[i]!;
  }
  for (let row = 0; row < topItems.length; row += depth) {
    for (let j = 0; j < k; j++) {
      const it = topItems[row + j]!;
      if (it === 0xffffffff || decile[it]! < 0) continue;
      recs[decile[it]!]!++;
      slots++;
    }
  }
  return Array.from({ length: 10 }, (_, d) => ({ decile: d + 1, dataShare: data[d]! / total, recommendationShare: slots ? recs[d]! / slots : 0 }));
}

function codeVersion(): string {
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    try {
      version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      /* not found: keep unknown */
    }
  }
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    return `${version}+${commit}`;
  } catch {
    return version;
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
