import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../../engine/index.js';
import { readArtifact, type ModelArtifact } from '../artifact.js';
import { DEFAULT_OPTIONS, type TrainOptions } from '../pipeline/options.js';
import { silentProgress } from '../pipeline/progress.js';
import { train } from '../pipeline/train.js';
import { LocalRegistry } from '../registry.js';
import { sha256Of } from '../manifest.js';
import { importSparkModel, type SparkImportOptions } from './import.js';
import { SparkModelError } from './metadata.js';
import { writeSparkModel } from './testing/write-spark-model.js';

const engine = loadEngine();
const FIXTURE = join(import.meta.dirname, 'fixtures', 'synthetic-als');
const tmp = () => mkdtempSync(join(tmpdir(), 'spark-import-'));

function importOptions(over: Partial<SparkImportOptions> & { modelDir: string }): SparkImportOptions {
  return { k: 10, depth: 20, modelsDir: tmp(), activate: true, gate: { tolerance: 0.01 }, ...over };
}

/** `a`'s factors written in Spark's layout: Spark id = index × 3 + 5, rows scrambled over 3 files of small row groups. */
function asSparkModel(a: ModelArtifact): string {
  const dir = join(tmp(), 'model');
  const order = (n: number) => Array.from({ length: n }, (_, i) => i).sort((x, y) => ((x * 31) % 17) - ((y * 31) % 17) || x - y);
  const rows = (idx: number[], f: Float32Array) => {
    const out = new Float32Array(idx.length * a.rank);
    idx.forEach((i, k) => out.set(f.subarray(i * a.rank, (i + 1) * a.rank), k * a.rank));
    return out;
  };
  const us = order(a.userIds.length);
  const is = order(a.itemIds.length);
  writeSparkModel(dir, {
    rank: a.rank,
    userIds: us.map((u) => u * 3 + 5),
    userFactors: rows(us, a.userFactors),
    itemIds: is.map((i) => i * 3 + 5),
    itemFactors: rows(is, a.itemFactors),
    idMap: { users: us.map((u) => [u * 3 + 5, a.userIds[u]!]), items: is.map((i) => [i * 3 + 5, a.itemIds[i]!]) },
    partitions: 3,
    rowGroupSize: 16,
  });
  return dir;
}

/** The fixture's training file fitted by this engine (rank 12, 4 iterations, depth 20), no evaluation. */
async function trainNative(): Promise<ModelArtifact> {
  const o: TrainOptions = {
    ...structuredClone(DEFAULT_OPTIONS),
    dataset: { kind: 'file', path: join(FIXTURE, 'train.tsv') },
    evaluate: false,
    depth: 20,
    modelsDir: tmp(),
    als: { ...DEFAULT_OPTIONS.als, rank: 12, maxIter: 4 },
  };
  return readArtifact((await train(engine, o, silentProgress)).dir);
}

describe('recs import spark (pipeline)', () => {
  it("a model whose factors are this engine's own, in Spark's layout, gives the native artifact's top-k exactly", async () => {
    const native = await trainNative();
    const r = await importSparkModel(engine, importOptions({ modelDir: asSparkModel(native), interactions: join(FIXTURE, 'train.tsv'), gate: null }), silentProgress);
    const imported = readArtifact(r.dir);
    expect(imported.userIds).toEqual(native.userIds);
    expect(imported.itemIds).toEqual(native.itemIds);
    expect(Array.from(imported.topk.items)).toEqual(Array.from(native.topk.items));
    expect(Array.from(imported.topk.scores)).toEqual(Array.from(native.topk.scores));
    expect(Array.from(imported.history!.items)).toEqual(Array.from(native.history!.items));
    expect(imported.manifest.params).toMatchObject({ trainedBy: 'spark', rank: 12, spark: { version: '3.5.0', userCol: 'user_id', itemCol: 'item_id' } });
  });

  it('evaluates on a test file with the metrics recs train reports for the same factors and files', async () => {
    const o: TrainOptions = {
      ...structuredClone(DEFAULT_OPTIONS),
      dataset: { kind: 'file', path: join(FIXTURE, 'train.tsv'), testPath: join(FIXTURE, 'test.tsv') },
      refit: false,
      depth: 20,
      modelsDir: tmp(),
      als: { ...DEFAULT_OPTIONS.als, rank: 12, maxIter: 4 },
    };
    const native = readArtifact((await train(engine, o, silentProgress)).dir);
    const r = await importSparkModel(engine, importOptions({ modelDir: asSparkModel(native), interactions: join(FIXTURE, 'train.tsv'), testFile: join(FIXTURE, 'test.tsv') }), silentProgress);
    for (const m of ['ndcg@10', 'precision@10', 'recall@10', 'map@10']) expect(r.manifest.metrics[m]).toBeCloseTo(native.manifest.metrics[m]!, 12);
    expect(r.manifest.baseline['ndcg@10']).toBeCloseTo(native.manifest.baseline['ndcg@10']!, 12);
    expect(r.gate?.pass).toBe(true);
    expect(new LocalRegistry(r.dir.replace(/\/[^/]+$/, '')).activeVersion()).toBe(r.manifest.version);
  });

  it('imports the committed fixture with its id map and job parameters; the gate refuses a model nobody evaluated', async () => {
    const modelsDir = tmp();
    const r = await importSparkModel(engine, importOptions({ modelDir: join(FIXTURE, 'model'), modelsDir }), silentProgress);
    expect(r.activated).toBe(false);
    expect(r.gate?.reason).toMatch(/was not evaluated/);
    const a = readArtifact(r.dir);
    expect(a.userIds[0]).toBe('user-0');
    expect(a.manifest.params).toMatchObject({ implicitPrefs: true, alpha: 1, regParam: 0.1, maxIter: 10 });
    expect(new LocalRegistry(modelsDir).activeVersion()).toBeNull();
  });
});

describe('recs import spark streams the users', () => {
  it('a batch at a time (7 users, over 3 files of scrambled ids, or in id order) gives what ranking the whole matrix at once gives', async () => {
    const native = await trainNative();
    const scrambled = asSparkModel(native);
    // the same factors in id order over 4 files: rows arrive in order, hashed as they are written
    const ordered = join(tmp(), 'model');
    writeSparkModel(ordered, {
      rank: native.rank,
      userIds: native.userIds.map((_, u) => u),
      userFactors: native.userFactors,
      itemIds: native.itemIds.map((_, i) => i),
      itemFactors: native.itemFactors,
      idMap: { users: native.userIds.map((id, u) => [u, id]), items: native.itemIds.map((id, i) => [i, id]) },
      partitions: 4,
      rowGroupSize: 16,
    });
    // the reference: the whole user matrix ranked in one call (the import before streaming)
    const whole = async (withInteractions: boolean) => {
      const top = await engine.topK(
        { rank: native.rank, userFactors: native.userFactors, itemFactors: native.itemFactors },
        { k: 20, ...(withInteractions ? { exclude: { users: native.history ? expand(native.history.offsets) : new Uint32Array(0), items: native.history!.items } } : {}) },
      );
      return top;
    };
    for (const withInteractions of [true, false]) {
      const reference = await whole(withInteractions);
      for (const modelDir of [scrambled, ordered]) {
        for (const batchRows of [7, undefined]) {
          const r = await importSparkModel(engine, importOptions({ modelDir, gate: null, batchRows, ...(withInteractions ? { interactions: join(FIXTURE, 'train.tsv') } : {}) }), silentProgress);
          const a = readArtifact(r.dir); // every checksum verified
          expect(a.userIds).toEqual(native.userIds);
          expect(Array.from(a.userFactors)).toEqual(Array.from(native.userFactors));
          expect(Array.from(a.topk.items)).toEqual(Array.from(reference.items));
          expect(Array.from(a.topk.scores)).toEqual(Array.from(reference.scores));
          if (!withInteractions) expect(r.manifest.data.fingerprint).toBe(sha256Of([native.userFactors, native.itemFactors]));
        }
      }
    }
  });
});

/** CSR offsets → the row of each entry. */
function expand(offsets: Uint32Array): Uint32Array {
  const out = new Uint32Array(offsets[offsets.length - 1]!);
  for (let u = 0; u + 1 < offsets.length; u++) out.fill(u, offsets[u]!, offsets[u + 1]!);
  return out;
}

describe('recs import spark: bad input names the file and row', () => {
  const rank = 3;
  const good = () => ({
    rank,
    userIds: [0, 1, 2, 3],
    userFactors: Float32Array.from({ length: 12 }, (_, i) => i / 10),
    itemIds: [7, 8],
    itemFactors: Float32Array.from({ length: 6 }, (_, i) => 1 - i / 10),
    partitions: 1,
  });
  const attempt = async (dir: string) => {
    try {
      await importSparkModel(engine, importOptions({ modelDir: dir, gate: null }), silentProgress);
    } catch (e) {
      expect(e).toBeInstanceOf(SparkModelError);
      return (e as Error).message;
    }
    throw new Error('expected the import to fail');
  };

  it('a directory that is not a saved model', async () => {
    const dir = tmp();
    expect(await attempt(dir)).toMatch(new RegExp(`${dir}/metadata: missing; .* is not a saved Spark model`));
  });

  it('the wrong class (the ALS estimator saved instead of the fitted model)', async () => {
    const dir = join(tmp(), 'm');
    writeSparkModel(dir, { ...good(), metadata: { class: 'org.apache.spark.ml.recommendation.ALS' } });
    expect(await attempt(dir)).toMatch(/metadata\/part-00000: field "class" is "org.apache.spark.ml.recommendation.ALS", expected "org.apache.spark.ml.recommendation.ALSModel"/);
  });

  it('metadata that is not JSON', async () => {
    const dir = join(tmp(), 'm');
    writeSparkModel(dir, good());
    writeFileSync(join(dir, 'metadata', 'part-00000'), '{"class": "org.apache.spark');
    expect(await attempt(dir)).toMatch(/metadata\/part-00000: line 1 is not valid JSON/);
  });

  it('a rank in the metadata that the factors do not have', async () => {
    const dir = join(tmp(), 'm');
    writeSparkModel(dir, { ...good(), metadata: { rank: 4 } });
    expect(await attempt(dir)).toMatch(/userFactors\/part-00000-[-0-9a-f]+-c000\.snappy\.parquet: row 0 \(id 0\): 3 features, but the model's metadata says rank 4/);
  });

  it('a duplicate id', async () => {
    const dir = join(tmp(), 'm');
    writeSparkModel(dir, { ...good(), userIds: [0, 1, 2, 1], partitions: 2 });
    expect(await attempt(dir)).toMatch(/userFactors\/part-00001-[-0-9a-f]+-c000\.snappy\.parquet: row 1: id 1 appears twice \(first at .*userFactors\/part-00000-[-0-9a-f]+\.snappy\.parquet: row 1\)/);
  });

  it('a NaN factor', async () => {
    const dir = join(tmp(), 'm');
    const g = good();
    g.itemFactors[4] = NaN;
    writeSparkModel(dir, g);
    expect(await attempt(dir)).toMatch(/itemFactors\/part-00000-[-0-9a-f]+\.snappy\.parquet: row 1 \(id 8\): feature 1 is NaN, not a finite number/);
  });

  it('an unfinished write (no _SUCCESS) and a corrupt Parquet file', async () => {
    const dir = join(tmp(), 'm');
    writeSparkModel(dir, good());
    rmSync(join(dir, 'itemFactors', '_SUCCESS'));
    expect(await attempt(dir)).toMatch(/itemFactors: no _SUCCESS marker: the Spark write did not finish/);
    writeFileSync(join(dir, 'itemFactors', '_SUCCESS'), '');
    const part = join(dir, 'userFactors', readdir(join(dir, 'userFactors'))[0]!);
    writeFileSync(part, readFileSync(part).subarray(0, 40));
    expect(await attempt(dir)).toMatch(new RegExp(`${part}: not a readable Parquet file`));
  });

  it("Databricks' commit markers: only the files a _committed_ marker lists as added (and not removed) are read", async () => {
    const dir = join(tmp(), 'm');
    writeSparkModel(dir, { ...good(), partitions: 2 });
    const users = join(dir, 'userFactors');
    const parts = readdir(users);
    // A failed attempt's file (it repeats ids 2 and 3) and a file a later commit removed.
    writeFileSync(join(users, 'part-00001-attempt2-c000.snappy.parquet'), readFileSync(join(users, parts[1]!)));
    writeFileSync(join(users, 'part-00000-old-c000.snappy.parquet'), readFileSync(join(users, parts[1]!)));
    writeFileSync(join(users, '_committed_123'), JSON.stringify({ added: [...parts, 'part-00000-old-c000.snappy.parquet'], removed: [] }));
    writeFileSync(join(users, '_committed_456'), JSON.stringify({ added: [], removed: ['part-00000-old-c000.snappy.parquet'] }));
    const r = await importSparkModel(engine, importOptions({ modelDir: dir, gate: null }), silentProgress);
    expect(r.manifest.data.users).toBe(4);
    rmSync(join(users, '_committed_123'));
    rmSync(join(users, '_committed_456'));
    expect(await attempt(dir)).toMatch(/id \d appears twice/);
  });

  it('an id map without a key for a factor row, or with a key twice', async () => {
    const dir = join(tmp(), 'm');
    writeSparkModel(dir, {
      ...good(),
      idMap: {
        users: [
          [0, 'a'],
          [1, 'b'],
          [2, 'c'],
        ],
        items: [
          [7, 'x'],
          [8, 'y'],
        ],
      },
    });
    expect(await attempt(dir)).toMatch(/recs-ids\/users: no key for Spark id 3 \(1 factor rows without one\)/);
    const dir2 = join(tmp(), 'm');
    writeSparkModel(dir2, {
      ...good(),
      idMap: {
        users: [
          [0, 'a'],
          [1, 'b'],
          [2, 'c'],
          [3, 'a'],
        ],
        items: [
          [7, 'x'],
          [8, 'y'],
        ],
      },
    });
    expect(await attempt(dir2)).toMatch(/recs-ids\/users\/part-00000-[-0-9a-f]+\.snappy\.parquet: row 3: key "a" is mapped twice \(first at .*row 0\)/);
  });
});

const readdir = (d: string) => readdirSync(d).filter((n) => n.endsWith('.parquet'));
