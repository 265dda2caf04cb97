// Owns `recs import spark`: a saved Spark ALSModel (local directory) → a normal versioned artifact of
// this project. Reads the metadata, the item factors whole and the user factors' ids (checked), maps
// Spark's integer ids to the original ids, then streams the user factors (stream-users.ts): a batch
// at a time ranked by this engine (seen items removed when the interactions are given) and written
// into the artifact, so memory is the item factors, one batch and a few bytes a user, not the user
// matrix. With a test file the user matrix is also gathered for evaluation beside the popularity
// baseline with `recs train`'s metrics. The Spark parameters go in the manifest; the version is then
// published (publish.ts: gate → activate → load) like a trained version.

import { join } from 'node:path';
import type { Engine, FactorModel } from '../../engine/index.js';
import { ARTIFACT_FILES as FILES, historyOf, interleave } from '../artifact.js';
import { ArtifactWriter } from '../artifact-writer.js';
import { fingerprint, newVersion, updateInChunks, type Manifest } from '../manifest.js';
import { encodeTensor } from '../tensor-file.js';
import { evaluateModel } from '../pipeline/evaluate.js';
import type { Progress } from '../pipeline/progress.js';
import type { StoreLoadOptions } from '../pipeline/store-load.js';
import { LocalRegistry } from '../registry.js';
import { readFactorIds, readFactorTable } from './factors.js';
import { streamUsers } from './stream-users.js';
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
  /** Users ranked per engine call (default stream-users.ts's BATCH_ROWS; tests make it small). */
  batchRows?: number;
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
  const stageUsers = progress.stage('read userFactors ids', null, ' rows');
  const users = await time('readUsers', () => readFactorIds(join(o.modelDir, 'userFactors'), rank, (n) => stageUsers.update(n)));
  stageUsers.done(`${users.sortedIds.length} rows, ${users.parts.length} file(s); factors streamed below`);
  const stageItems = progress.stage('read itemFactors', null, ' rows');
  const items = await time('readItems', () => readFactorTable(join(o.modelDir, 'itemFactors'), rank, (n) => stageItems.update(n)));
  stageItems.done(`${items.ids.length} rows × rank ${rank}, ${items.files.length} file(s)`);
  if (users.sortedIds.length === 0 || items.ids.length === 0)
    throw new SparkModelError(`${o.modelDir}: the model has ${users.sortedIds.length} users and ${items.ids.length} items; nothing to recommend`);
  const idMapDir = o.idMapDir ?? defaultIdMapDir(o.modelDir);
  const userIds = await time('idMap', () => mapIds(users.sortedIds, idMapDir, 'users'));
  const itemIds = await mapIds(items.ids, idMapDir, 'items');

  const data = await time('interactions', () => readInModelSpace(userIds, itemIds, o));
  if (data.unknownRows > 0) progress.note(`${data.unknownRows} interaction rows of users or items the model has no factors for were left out`);
  const nUsers = userIds.length;
  const nItems = itemIds.length;
  const history = data.train ? historyOf({ nUsers, users: data.train.users, items: data.train.items }) : null;

  const version = newVersion(new Date(), `spark:${meta.uid}:${o.source ?? o.modelDir}`);
  const registry = new LocalRegistry(o.modelsDir);
  registry.ensureRoot();
  const dir = registry.versionDir(version);
  const w = new ArtifactWriter(dir);
  let manifest: Manifest;
  try {
    // users: read, ranked and written one batch at a time (stream-users.ts)
    const sinks = {
      userFactors: w.tensor(FILES.userFactors, 'f32', nUsers, rank),
      topkItems: w.tensor(FILES.topkItems, 'u32', nUsers, o.depth),
      topkScores: w.tensor(FILES.topkScores, 'f32', nUsers, o.depth),
    };
    const stage = progress.stage('top-k', nUsers, ' users');
    const evaluating = Boolean(data.train && data.test);
    const streamed = await time('topk', () =>
      streamUsers(engine, users, sinks, { rank, depth: o.depth, itemFactors: items.factors, history, keep: evaluating, batchRows: o.batchRows, onProgress: (d) => stage.update(d) }),
    );
    stage.done(`${o.depth} per user${data.train ? ', seen items removed' : ''}, streamed`);
    const userValues = w.done(FILES.userFactors, sinks.userFactors);
    w.done(FILES.topkItems, sinks.topkItems);
    w.done(FILES.topkScores, sinks.topkScores);

    let metrics: Record<string, number> = {};
    let baseline: Record<string, number> = {};
    let split: Record<string, unknown> | null = null;
    if (data.train && data.test) {
      const model: FactorModel = { rank, nUsers, nItems, userFactors: streamed.userFactors!, itemFactors: items.factors, iterations: [], kernel: engine.kernelName() };
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

    const popularity = popularityOf(data.train ? countsOf(nItems, data.train.items) : streamed.listCounts);
    // without interactions the fingerprint is the factors' (user values, then item values)
    updateInChunks(userValues, items.factors);
    const factorsFingerprint = userValues.digest('hex');
    manifest = await time('write', () => {
      w.file(FILES.itemFactors, encodeTensor(items.factors, nItems, rank));
      w.file(FILES.userIds, [Buffer.from(JSON.stringify(userIds))]);
      w.file(FILES.itemIds, [Buffer.from(JSON.stringify(itemIds))]);
      w.file(FILES.popularity, encodeTensor(interleave(popularity.items, popularity.counts), nItems, 2));
      if (history) {
        w.file(FILES.historyOffsets, encodeTensor(history.offsets, nUsers + 1, 1));
        w.file(FILES.historyItems, encodeTensor(history.items, history.items.length, 1));
      }
      return w.finish(
        {
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
            fingerprint: data.train ? fingerprint(data.train.users, data.train.items, data.train.ratings) : factorsFingerprint,
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
        ['userFactors', 'itemFactors', 'topk', 'popularity', ...(history ? (['history'] as const) : [])],
      );
    });
  } catch (e) {
    w.abort();
    throw e;
  }
  // the one publish step of every version (ts/model/lifecycle/publish.ts): gate → store load → ACTIVE
  const { version: _v, message: _m, ...published } = await publish(registry, version, { activate: o.activate, gate: o.gate ?? undefined, load: o.load, via: 'import' }, progress);
  return { manifest, dir, unknownRows: data.unknownRows, ...published };
}

/** Per item: how many of `items` are it. */
function countsOf(nItems: number, items: Uint32Array): Uint32Array {
  const counts = new Uint32Array(nItems);
  for (let i = 0; i < items.length; i++) if (items[i]! < nItems) counts[items[i]!]!++;
  return counts;
}

/** Items by count (interactions, or without them how many users' lists hold them), most first. */
function popularityOf(counts: Uint32Array): { items: Uint32Array; counts: Uint32Array } {
  const order = Array.from(counts.keys()).sort((a, b) => counts[b]! - counts[a]! || a - b);
  return { items: Uint32Array.from(order), counts: Uint32Array.from(order, (i) => counts[i]!) };
}
