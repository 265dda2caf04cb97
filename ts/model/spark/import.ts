// Owns `recs import spark`: a saved Spark ALSModel (local directory) → a normal versioned artifact of
// this project. Reads the metadata and both factor tables (streamed, checked), maps Spark's integer
// ids to the original ids, computes every user's top-k with this engine (seen items removed when
// the interactions are given), evaluates it on a test file beside the popularity baseline with
// `recs train`'s metrics, writes the artifact with the Spark parameters in its manifest, then
// publishes it (publish.ts: gate → activate → load) like a trained version.

import { join } from 'node:path';
import type { Engine, FactorModel } from '../../engine/index.js';
import { historyOf, writeArtifact } from '../artifact.js';
import { fingerprint, newVersion, sha256Of, type Manifest } from '../manifest.js';
import { evaluateModel } from '../pipeline/evaluate.js';
import type { Progress } from '../pipeline/progress.js';
import type { StoreLoadOptions } from '../pipeline/store-load.js';
import { LocalRegistry } from '../registry.js';
import { readFactorTable } from './factors.js';
import { defaultIdMapDir, mapIds } from './id-map.js';
import { readInModelSpace, type InteractionFiles } from './interactions.js';
import { readSparkJobInfo, readSparkMetadata, SparkModelError } from './metadata.js';
import { publish, type PublishResult } from '../lifecycle/publish.js';
import { stepTimer } from '../pipeline/timings.js';

export interface SparkImportOptions extends InteractionFiles {
  /** The saved ALSModel's directory. */
  modelDir: string;
  /** Where it came from, for the manifest (e.g. a blob:// address; default modelDir). */
  source?: string;
  /** The id map directory (users/, items/); default <model>/recs-ids when present, else Spark's integers. */
  idMapDir?: string;
  /** Evaluation cut-off (default 10). */
  k: number;
  /** Stored recommendations per user (default 30). */
  depth: number;
  modelsDir: string;
  activate: boolean;
  /** Promote only through the quality gate (default); `force` skips it. */
  gate: { tolerance: number } | null;
  load?: StoreLoadOptions;
}

export interface SparkImportResult extends Omit<PublishResult, 'version' | 'message'> {
  manifest: Manifest;
  dir: string;
  unknownRows: number;
}

export async function importSparkModel(engine: Engine, o: SparkImportOptions, progress: Progress): Promise<SparkImportResult> {
  const timings: Record<string, number> = {};
  const time = stepTimer(timings);
  const meta = readSparkMetadata(o.modelDir);
  const job = readSparkJobInfo(o.modelDir);
  const rank = meta.rank;
  const read = async (side: 'userFactors' | 'itemFactors') => {
    const stage = progress.stage(`read ${side}`, null, ' rows');
    const t = await readFactorTable(join(o.modelDir, side), rank, (n) => stage.update(n));
    stage.done(`${t.ids.length} rows × rank ${rank}, ${t.files.length} file(s)`);
    return t;
  };
  const users = await time('readUsers', () => read('userFactors'));
  const items = await time('readItems', () => read('itemFactors'));
  if (users.ids.length === 0 || items.ids.length === 0) throw new SparkModelError(`${o.modelDir}: the model has ${users.ids.length} users and ${items.ids.length} items; nothing to recommend`);
  const idMapDir = o.idMapDir ?? defaultIdMapDir(o.modelDir);
  const userIds = await time('idMap', () => mapIds(users.ids, idMapDir, 'users'));
  const itemIds = await mapIds(items.ids, idMapDir, 'items');

  const data = await time('interactions', () => readInModelSpace(userIds, itemIds, o));
  if (data.unknownRows > 0) progress.note(`${data.unknownRows} interaction rows of users or items the model has no factors for were left out`);
  const nUsers = userIds.length;
  const nItems = itemIds.length;
  const model: FactorModel = { rank, nUsers, nItems, userFactors: users.factors, itemFactors: items.factors, iterations: [], kernel: engine.kernelName() };

  let metrics: Record<string, number> = {};
  let baseline: Record<string, number> = {};
  let split: Record<string, unknown> | null = null;
  if (data.train && data.test) {
    const ev = await time('evaluate', () => evaluateModel(engine, model, data.train!, data.test!, { k: o.k, explicit: job?.params['implicitPrefs'] === false, beyondAccuracy: 'all' }, progress));
    metrics = ev.metrics;
    baseline = ev.baseline;
    split = {
      method: 'given files',
      trainFile: o.interactions,
      testFile: o.testFile,
      train: data.train.length,
      test: data.test.length,
      rankedUsers: ev.rankedUsers,
      testUsers: new Set(data.test.users).size,
    };
  }
  const stage = progress.stage('top-k', nUsers, ' users');
  const top = await time('topk', () => engine.topK(model, { k: o.depth, ...(data.train ? { exclude: data.train } : {}), onProgress: (d) => stage.update(d) }));
  stage.done(`${o.depth} per user${data.train ? ', seen items removed' : ''}`);

  const popularity = popularityOf(nItems, data.train?.items ?? top.items);
  const version = newVersion(new Date(), `spark:${meta.uid}:${o.source ?? o.modelDir}`);
  const registry = new LocalRegistry(o.modelsDir);
  registry.ensureRoot();
  const dir = registry.versionDir(version);
  const manifest = await time('write', () =>
    writeArtifact(dir, {
      rank,
      userIds,
      itemIds,
      userFactors: users.factors,
      itemFactors: items.factors,
      items: null,
      popularity,
      topk: { depth: o.depth, items: top.items, scores: top.scores },
      history: data.train ? historyOf({ nUsers, users: data.train.users, items: data.train.items }) : null,
      manifest: {
        version,
        createdAt: new Date().toISOString(),
        codeVersion: `trained by Spark ${meta.sparkVersion}, imported by recs import spark`,
        params: {
          ...job?.params,
          rank,
          k: o.k,
          depth: o.depth,
          trainedBy: 'spark',
          spark: { version: meta.sparkVersion, uid: meta.uid, savedAt: meta.timestamp, userCol: meta.userCol, itemCol: meta.itemCol, modelParams: meta.params, ...(job ? { job: job.path } : {}) },
        },
        engine: { kind: engine.kind, kernel: `spark ${meta.sparkVersion}; top-k ${engine.kernelName()}` },
        data: {
          source: `spark ALSModel ${o.source ?? o.modelDir}`,
          fingerprint: data.train ? fingerprint(data.train.users, data.train.items, data.train.ratings) : factorFingerprint(users.factors, items.factors),
          users: nUsers,
          items: nItems,
          interactions: data.train?.length ?? (job?.data['interactions'] as number | undefined) ?? 0,
          idMap: idMapDir ?? 'none (Spark integer ids)',
          unknownInteractionRows: data.unknownRows,
          badLinesSkipped: data.badLines,
          ...(job ? { spark: job.data } : {}),
          split,
        },
        metrics,
        baseline,
        timings,
        iterations: [],
        topkDepth: o.depth,
      },
    }),
  );
  // the one publish step of every version (ts/model/lifecycle/publish.ts): gate → store load → ACTIVE
  const { version: _v, message: _m, ...published } = await publish(registry, version, { activate: o.activate, gate: o.gate ?? undefined, load: o.load, via: 'import' }, progress);
  return { manifest, dir, unknownRows: data.unknownRows, ...published };
}

/** Items by interaction count (or, without interactions, by how many users' lists hold them), most first. */
function popularityOf(nItems: number, items: Uint32Array): { items: Uint32Array; counts: Uint32Array } {
  const counts = new Uint32Array(nItems);
  for (let i = 0; i < items.length; i++) if (items[i]! < nItems) counts[items[i]!]!++;
  const order = Array.from(counts.keys()).sort((a, b) => counts[b]! - counts[a]! || a - b);
  return { items: Uint32Array.from(order), counts: Uint32Array.from(order, (i) => counts[i]!) };
}

function factorFingerprint(a: Float32Array, b: Float32Array): string {
  return sha256Of([a, b]);
}
