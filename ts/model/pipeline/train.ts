// Owns the training pipeline, steps 2–6 of the reference data flow as one call:
// load → prepare → split → fit → evaluate (beside the popularity baseline) → refit on all the data
// → precompute the top-k unseen items for every user → write a versioned artifact and its HTML
// report → optionally make it the active version.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepare, type Dataset } from '../../data/index.js';
import type { Engine, FactorModel, Interactions } from '../../engine/index.js';
import { itemPopularity } from '../../eval/index.js';
import { writeArtifact, type ItemMetadata } from '../artifact.js';
import { promoteWithGate, type GateDecision } from '../lifecycle/gate.js';
import { fingerprint, newVersion, type Manifest } from '../manifest.js';
import { LocalRegistry } from '../registry.js';
import { renderReport } from '../report/html.js';
import { evaluateModel } from './evaluate.js';
import { mergeEvents, type EventsMergeStats } from './events-source.js';
import { feedbackValues, formatFeedback } from './feedback.js';
import type { TrainOptions } from './options.js';
import type { Progress } from './progress.js';
import { itemMetadata, loadSource } from './source.js';
import { splitDataset } from './split.js';
import { loadIntoStore, type StoreLoadResult } from './store-load.js';

export interface TrainResult {
  manifest: Manifest;
  dir: string;
  reportPath: string;
  activated: boolean;
  /** The quality gate's decision, when `options.gate` asked for one. */
  gate?: GateDecision;
  /** The bulk load into a serving store, when `options.load` asked for one and the version became active. */
  load?: StoreLoadResult;
}

export async function train(engine: Engine, o: TrainOptions, progress: Progress): Promise<TrainResult> {
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    const r = await f();
    timings[name] = round((performance.now() - t) / 1000);
    return r;
  };

  const loaded = await time('load', () => loadSource(o.dataset, engine, o, progress));
  let ratings = loaded.ratings;
  let events: EventsMergeStats | null = null;
  if (o.events !== undefined) {
    const stage = progress.stage('events', null);
    ({ dataset: ratings, stats: events } = await time('events', () => mergeEvents(loaded.ratings, o.events!)));
    const skipped = events.skippedRows > 0 ? `; ${events.skippedRows} unusable stored events skipped: ${events.skipped.map((p) => `${p.eventId} (user ${p.userId}, ${p.field}: ${p.message})`).join('; ')}` : '';
    stage.done(`${events.rows} rows from ${events.events} events (${events.newUsers} new users), ${events.erasedUsersExcluded} erased users left out${skipped}`);
  }
  const { dataset: all, stats } = await time('prepare', () =>
    prepare(ratings, {
      dedupe: o.prepare.dedupe,
      ...(o.prepare.minUserCount || o.prepare.minItemCount ? { minCounts: { users: o.prepare.minUserCount || 1, items: o.prepare.minItemCount || 1 } } : {}),
      ...(o.prepare.kCore ? { kCore: o.prepare.kCore } : {}),
    }),
  );
  if (all.length === 0) throw new Error('no interactions left after preparation; relax --min-user-count, --min-item-count or --k-core');
  const nUsers = all.userIds.length;
  const nItems = all.itemIds.length;

  let metrics: Record<string, number> = {};
  let baseline: Record<string, number> = {};
  let splitCounts: Record<string, number> = {};
  let model: FactorModel | null = null;
  if (o.evaluate) {
    const [trainSet, testSet] = await time('split', () => splitDataset(all, o.split));
    splitCounts = { train: trainSet!.length, test: testSet!.length };
    model = await time('fit', () => fit(engine, trainSet!, nUsers, nItems, o, progress, 'fit'));
    const ev = await time('evaluate', () =>
      evaluateModel(engine, model!, trainSet!, testSet!, { k: o.k, explicit: !o.als.implicitPrefs, beyondAccuracy: o.beyondAccuracy }, progress),
    );
    metrics = ev.metrics;
    baseline = ev.baseline;
    splitCounts.rankedUsers = ev.rankedUsers;
  }
  if (!model || o.refit) model = await time('refit', () => fit(engine, all, nUsers, nItems, o, progress, o.evaluate ? 'refit' : 'fit'));

  const stage = progress.stage('top-k', nUsers, ' users');
  const top = await time('topk', () => engine.topK(model!, { k: o.depth, exclude: all, onProgress: (d) => stage.update(d) }));
  stage.done(`${o.depth} per user`);

  const counts = itemPopularity(all);
  const popOrder = Array.from(counts.keys()).sort((a, b) => counts[b]! - counts[a]! || a - b);
  const items = itemMetadata(all.itemIds, loaded.catalog);
  const version = newVersion(new Date(), JSON.stringify(o.als) + loaded.description);
  const registry = new LocalRegistry(o.modelsDir);
  registry.ensureRoot();
  const dir = registry.versionDir(version);
  const manifest = await time('write', () =>
    writeArtifact(dir, {
      rank: model!.rank,
      userIds: [...all.userIds],
      itemIds: [...all.itemIds],
      userFactors: model!.userFactors,
      itemFactors: model!.itemFactors,
      items,
      popularity: { items: Uint32Array.from(popOrder), counts: Uint32Array.from(popOrder, (i) => counts[i]!) },
      topk: { depth: o.depth, items: top.items, scores: top.scores },
      manifest: {
        version,
        createdAt: new Date().toISOString(),
        codeVersion: codeVersion(),
        params: { ...o.als, feedback: formatFeedback(o.feedback), k: o.k, depth: o.depth, refit: o.refit },
        engine: { kind: engine.kind, kernel: model!.kernel },
        data: {
          source: loaded.description,
          fingerprint: fingerprint(all.users, all.items, all.ratings),
          users: nUsers,
          items: nItems,
          interactions: all.length,
          badLinesSkipped: loaded.badLines,
          duplicatesRemoved: stats.duplicatesRemoved,
          filteredRows: stats.filteredRows,
          split: o.evaluate ? { ...o.split, ...splitCounts } : null,
          ...(events ? { events } : {}),
        },
        metrics,
        baseline,
        timings,
        iterations: model!.iterations.map((r) => ({ iteration: r.iteration, loss: r.loss, seconds: round(r.seconds) })),
        topkDepth: o.depth,
      },
    }),
  );
  const reportPath = join(dir, 'report.html');
  writeFileSync(reportPath, report(manifest, all, counts, items, top, o.k));
  let result: TrainResult;
  if (o.activate && o.gate) {
    const d = promoteWithGate(registry, version, { tolerance: o.gate.tolerance });
    result = { manifest, dir, reportPath, activated: d.promoted, gate: d };
  } else {
    if (o.activate) registry.activate(version, { via: 'train' });
    result = { manifest, dir, reportPath, activated: o.activate };
  }
  if (o.load && result.activated) {
    const table = { version, depth: o.depth, userIds: all.userIds, itemIds: all.itemIds, items: top.items, scores: top.scores };
    result.load = await loadIntoStore(table, o.load, progress);
  } else if (o.load) {
    progress.note(`not loaded into ${o.load.store}: ${version} did not become the active version`);
  }
  return result;
}

async function fit(engine: Engine, ds: Dataset, nUsers: number, nItems: number, o: TrainOptions, progress: Progress, label: string): Promise<FactorModel> {
  const data: Interactions = { nUsers, nItems, users: ds.users, items: ds.items, values: feedbackValues(ds.ratings, o.feedback, o.als.implicitPrefs) };
  const stage = progress.stage(label, o.als.maxIter, ' iters');
  const model = await engine.fit(data, o.als, {
    onIteration: (r) => stage.update(r.iteration, r.loss === null ? undefined : `loss ${r.loss.toPrecision(5)}`),
  });
  const last = model.iterations.at(-1);
  stage.done(last?.loss != null ? `loss ${last.loss.toPrecision(5)}, ${model.kernel}` : model.kernel);
  return model;
}

/** The HTML report: the final model's loss curve, metrics beside the baseline, examples. */
function report(m: Manifest, all: Dataset, counts: Uint32Array, items: ItemMetadata | null, top: { items: Uint32Array; scores: Float32Array }, k: number): string {
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
    metrics: m.metrics,
    baseline: m.baseline,
    timings: m.timings,
    itemCounts: counts,
    examples,
  });
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
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return `${version}+${commit}`;
  } catch {
    return version;
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
