import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobObjectStore } from '../registry/blob-store.js';
import { startAzurite, type TestAzurite } from '../registry/testing/azurite.js';
import { Assigner } from './assign.js';
import { localBook, remoteBook } from './book.js';
import { ExperimentError, newExperiment, parseVariants, type Experiment } from './definition.js';

const VERSIONS = ['v1', 'v2'];
const make = (variants: string, existing: Experiment[] = [], name = 'exp1') => newExperiment({ name, variants: parseVariants(variants) }, VERSIONS, existing, new Date(0), 'salt1');

describe('experiment definitions', () => {
  it('stores the variants, the salt and the plan (the fixed-horizon sample size)', () => {
    const e = make('control=v1:0.5,treatment=v2:0.5');
    expect(e).toMatchObject({ name: 'exp1', salt: 'salt1', unit: 'userId', state: 'running', clickTypes: ['click'], conversionTypes: ['purchase'] });
    expect(e.plan.minImpressions).toBe(8158); // 5 % → 6 %, alpha 0.05, power 0.8 (Fleiss)
    expect(make('a=v1:0.5,b=popularity:0.5').variants[1]).toEqual({ name: 'b', version: 'popularity', share: 0.5 });
    expect(make('a=v1:0.5,b=v1:0.5').variants.map((v) => v.version)).toEqual(['v1', 'v1']); // A/A
  });

  it('refuses every bad input with what and where', () => {
    const bad = (variants: string, existing: Experiment[] = [], name = 'exp1') => {
      try {
        make(variants, existing, name);
      } catch (e) {
        expect(e).toBeInstanceOf(ExperimentError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad('control=v1:0.5,treatment=v2:0.4')).toMatch(/sum to 0\.9, not 1 \(control 0\.5 \+ treatment 0\.4\)/);
    expect(bad('control=v1:0.5,treatment=v9:0.5')).toMatch(/variant 2 \("treatment"\): unknown model version "v9"; known: v1, v2, or "popularity"/);
    expect(bad('control=v1:1')).toMatch(/two or more variants/);
    expect(bad('control=v1:0.5,control=v2:0.5')).toMatch(/variant 2 \("control"\): the name is used twice/);
    expect(bad('control=v1:1.5,t=v2:-0.5')).toMatch(/variant 1 \("control"\): share must be a number in \(0, 1\]/);
    expect(bad('control=v1')).toMatch(/variant 1 "control=v1" is not name=version:share/);
    const running = make('a=v1:0.5,b=v2:0.5');
    expect(bad('a=v1:0.5,b=v2:0.5', [running], 'exp2')).toMatch(/experiment "exp1" is running on the same unit.*recs experiments stop exp1/);
    expect(bad('a=v1:0.5,b=v2:0.5', [running])).toMatch(/already exists/);
    expect(make('a=v1:0.5,b=v2:0.5', [{ ...running, state: 'stopped' }], 'exp2').name).toBe('exp2');
  });
});

describe('variant assignment', () => {
  it('is sticky (a function of the stored definition alone), splits by the shares and depends on the salt', () => {
    const e = make('a=v1:0.2,b=v2:0.8');
    const one = new Assigner(e);
    const again = new Assigner(JSON.parse(JSON.stringify(e)) as Experiment); // another replica, after a restart
    const counts = [0, 0];
    let moved = 0;
    const other = new Assigner({ ...e, salt: 'salt2' });
    const n = 50_000;
    for (let u = 0; u < n; u++) {
      const id = `user-${u}`;
      const i = one.variantIndex(id);
      expect(again.variantIndex(id)).toBe(i);
      counts[i]!++;
      if (other.variantIndex(id) !== i) moved++;
    }
    // binomial: 0.2 ± 4 sd
    const sd = Math.sqrt((0.2 * 0.8) / n);
    expect(Math.abs(counts[0]! / n - 0.2)).toBeLessThan(4 * sd);
    // independent salts: P(same) = 0.2² + 0.8² = 0.68
    expect(Math.abs(1 - moved / n - 0.68)).toBeLessThan(0.02);
  });
});

describe('the experiment book', () => {
  let azurite: TestAzurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  }, 30_000);
  afterAll(() => azurite?.dispose());

  it('keeps experiments in the local registry directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recs-exp-'));
    const book = localBook(dir);
    expect((await book.read()).experiments).toEqual([]);
    await book.update((list) => ({ list: [...list, make('a=v1:0.5,b=v2:0.5')], result: null }));
    expect((await localBook(dir).read()).experiments.map((e) => e.name)).toEqual(['exp1']);
  });

  it('keeps experiments in Blob Storage, concurrent writers both landing', async () => {
    const store = new BlobObjectStore({ auth: { connectionString: azurite.connectionString }, container: `exp-${process.pid}`, prefix: 'prod/models' });
    const mirror = mkdtempSync(join(tmpdir(), 'recs-exp-'));
    const a = remoteBook(store, mirror);
    const b = remoteBook(store);
    const add = (name: string) => (list: Experiment[]) => ({ list: [...list, { ...make('a=v1:0.5,b=v2:0.5'), name, state: 'stopped' as const }], result: name });
    await Promise.all([a.update(add('x')), b.update(add('y')), a.update(add('z'))]);
    expect((await b.read()).experiments.map((e) => e.name).sort()).toEqual(['x', 'y', 'z']);
    expect((await localBook(mirror).read()).experiments.length).toBeGreaterThan(0);
  });
});
